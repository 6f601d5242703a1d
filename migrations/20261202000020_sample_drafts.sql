-- Reply drafts that ship with the sample project (written by hand, never billed, no run):
-- shown as "Sample draft" and never counted as "already answered", so a real run on the
-- sample project still writes its own drafts.
ALTER TABLE suggestions ADD COLUMN sample INTEGER NOT NULL DEFAULT 0;
