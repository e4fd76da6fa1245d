-- analyzer_last_run: the newest successful analyzer run and the end of the window it analysed (where an incremental run resumes).
SELECT id, CAST(window_from_ns AS VARCHAR) AS window_from_ns, CAST(window_to_ns AS VARCHAR) AS window_to_ns, status,
  strftime(finished_at, '%Y-%m-%dT%H:%M:%SZ') AS finished_at
FROM analyzer_runs
WHERE status = 'ok'
ORDER BY window_to_ns DESC, finished_at DESC, id DESC
LIMIT 1
