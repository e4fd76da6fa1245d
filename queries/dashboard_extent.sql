-- dashboard_extent: stored data extent and a change token, from the rollups.
-- partials grows with every committed write batch (rollups are append-only), so it doubles as the
-- "something new arrived" token the live feed polls.
SELECT epoch_ms(min(minute)) AS first_minute_ms, epoch_ms(max(minute)) AS last_minute_ms, count(*) AS partials
FROM rollup_minute
