-- A running run touches this every few seconds; a 'running' run whose heartbeat is old was
-- killed (crash, power cut, kill -9) and is shown as interrupted, ready to resume.
ALTER TABLE runs ADD COLUMN heartbeat_at INTEGER;
