-- dashboard_latest_report: the newest analyzer run that stored a report (forecasts feed predictive alerts).
SELECT id, epoch_ms(finished_at) AS finished_ms, status, CAST(report AS VARCHAR) AS report
FROM analyzer_runs
WHERE report IS NOT NULL
ORDER BY finished_at DESC NULLS LAST, id DESC
LIMIT 1
