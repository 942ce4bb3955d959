-- When a plan action was closed (done or declined), so a board report can list the actions
-- closed since the previous one. Cleared when an action is reopened.
ALTER TABLE plan_actions ADD COLUMN closed_at TEXT;
