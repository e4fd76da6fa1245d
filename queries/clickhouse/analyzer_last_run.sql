-- analyzer_last_run: the newest successful analyzer run and the end of the window it analysed (where an incremental run resumes).
-- ClickHouse variant: analyzer_runs is a ReplacingMergeTree, read FINAL.
SELECT id, toString(window_from_ns) AS window_from_ns, toString(window_to_ns) AS window_to_ns, status,
  formatDateTime(finished_at, '%Y-%m-%dT%H:%i:%SZ', 'UTC') AS finished_at
FROM analyzer_runs FINAL
WHERE status = 'ok'
ORDER BY window_to_ns DESC, finished_at DESC, id DESC
LIMIT 1
