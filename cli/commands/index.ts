import type { Command } from 'commander';
import { alertsCommand } from './alerts.js';
import { analyzeCommand } from './analyze.js';
import { analyticsCommand } from './analytics.js';
import { collectCommand } from './collect.js';
import { dashboardCommand } from './dashboard.js';
import { healthCommand } from './health.js';
import { topCommand } from './top.js';
import { demoCommand } from './demo.js';
import { hookCommand } from './hook.js';
import { exportCommand } from './export.js';
import { retentionCommand } from './retention.js';
import { ingestSpoolCommand } from './ingestSpool.js';
import { recoverWalCommand } from './recoverWal.js';
import { queryCommand } from './query.js';
import { runCommand } from './run.js';
import { sqlCommand } from './sql.js';
import { patternsCommand } from './patterns.js';
import { feedbackCommand } from './feedback.js';
import { experimentsCommand } from './experiments.js';
import { suggestTeamCommand } from './suggestTeam.js';
import { sourcesCommand } from './sources.js';

/** Every CLI command, in the order `--help` lists them. Add new commands here. */
export const commands: Command[] = [demoCommand, sqlCommand, queryCommand, collectCommand, runCommand, ingestSpoolCommand, recoverWalCommand, exportCommand, retentionCommand, hookCommand, dashboardCommand, topCommand, analyticsCommand, healthCommand, sourcesCommand, analyzeCommand, alertsCommand, suggestTeamCommand, patternsCommand, experimentsCommand, feedbackCommand];
