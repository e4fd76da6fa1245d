-- dashboard_latest_report: the newest analyzer run that stored a report (forecasts feed predictive alerts).
-- ClickHouse variant: analyzer_runs read FINAL.
SELECT id, toUnixTimestamp64Milli(finished_at) AS finished_ms, status, report
FROM analyzer_runs FINAL
WHERE report IS NOT NULL
ORDER BY finished_at DESC NULLS LAST, id DESC
LIMIT 1
