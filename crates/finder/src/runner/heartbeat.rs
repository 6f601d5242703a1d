//! How a working run says it is alive, and how its stored status is read: a run stored as
//! running whose heartbeat stopped was killed mid-way (crash, power cut, kill -9) and can be
//! resumed. Free of the rest of the runner, so anything that reads runs (deleting a project,
//! say) can ask without pulling the runner in.

use std::time::Duration;

/// How often a working run says it is alive, and how old that may get before a 'running' run
/// is taken to have been killed.
pub(crate) const HEARTBEAT_EVERY: Duration = Duration::from_secs(10);
pub(crate) const HEARTBEAT_STALE_S: i64 = 60;

/// The status to show: a run stored as running whose heartbeat stopped was killed mid-way
/// (crash, power cut, kill -9) and can be resumed.
pub fn effective_status(stored: &str, heartbeat_at: Option<i64>, now: i64) -> String {
    match (stored, heartbeat_at) {
        ("running", Some(beat)) if now - beat > HEARTBEAT_STALE_S => "interrupted".into(),
        ("running", None) => "interrupted".into(),
        _ => stored.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_running_run_without_a_recent_heartbeat_is_interrupted() {
        assert_eq!(effective_status("running", Some(1_000), 1_030), "running");
        assert_eq!(
            effective_status("running", Some(1_000), 1_000 + HEARTBEAT_STALE_S + 1),
            "interrupted"
        );
        assert_eq!(effective_status("running", None, 5), "interrupted");
        assert_eq!(effective_status("finished", Some(0), 1_000_000), "finished");
    }
}
