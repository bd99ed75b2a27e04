-- The run that `npm start` makes once after loading the demo shop, so a fresh install has a
-- published lake: recorded with its own trigger so the Data pipeline page can say so.
ALTER TABLE pipeline_runs DROP CONSTRAINT pipeline_runs_trigger_check;
ALTER TABLE pipeline_runs ADD CONSTRAINT pipeline_runs_trigger_check
  CHECK (trigger IN ('schedule', 'manual', 'api', 'backfill', 'first_start'));
