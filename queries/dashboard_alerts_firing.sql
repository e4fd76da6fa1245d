-- dashboard_alerts_firing: how many alert rules are firing now (the summary's badge).
SELECT count(*) AS firing FROM alert_state WHERE state = 'firing'
