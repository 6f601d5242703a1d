//! The embedded SQLite store: opening, migrating (with a copy of the file set aside first),
//! and the settings shared by every connection.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use crate::error::{FinderError, Result};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
}

/// What `Store::open` found and did, so callers can tell a first run from a later one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenReport {
    pub created: bool,
    /// Where the pre-migration copy went, when migrations ran on an existing database.
    pub backup: Option<PathBuf>,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its layout up to date.
    /// A write waits up to 10 s for another connection's lock, then fails as `DatabaseBusy`.
    pub async fn open(path: &Path) -> Result<(Store, OpenReport)> {
        Self::open_with_busy_timeout(path, Duration::from_secs(10)).await
    }

    /// Like [`Store::open`] with another wait for a locked database (tests use a short one).
    pub async fn open_with_busy_timeout(
        path: &Path,
        busy_timeout: Duration,
    ) -> Result<(Store, OpenReport)> {
        let open_err = |message: String| FinderError::DatabaseOpen {
            path: path.to_path_buf(),
            message,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| open_err(e.to_string()))?;
        }
        // Creating, backing up and migrating happen one process at a time: two windows or
        // commands opening a new (or older) database at the same instant would otherwise both
        // create the tables, both add the sample project, or race on the backup file.
        let open_lock = OpenLock::acquire(path)
            .await
            .map_err(|e| open_err(format!("another program is setting it up ({e})")))?;
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(|e| open_err(e.to_string()))?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // NORMAL in WAL mode keeps the database consistent on power loss; only the last
            // transactions may roll back, and every outcome is its own small transaction.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(busy_timeout)
            .foreign_keys(true)
            // 64 MB of page cache per connection (the default is 2 MB): scoring rewrites a
            // row per post, and a small cache turns that into disk reads.
            .pragma("cache_size", "-65536");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|e| open_err(friendly_open_error(&e)))?;
        let store = Store {
            pool,
            path: path.to_path_buf(),
        };
        // New means no table yet, decided under the lock: of two processes opening a new
        // file together only the first finds it empty (and adds the sample project).
        let created = !store.has_any_table().await?;
        let backup = if created {
            None
        } else {
            store.backup_if_migrations_pending().await?
        };
        MIGRATOR.run(&store.pool).await?;
        open_lock.release().await;
        Ok((store, OpenReport { created, backup }))
    }

    async fn has_any_table(&self) -> Result<bool> {
        Ok(sqlx::query_scalar!(
            r#"SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE type = 'table') AS "any!: bool""#
        )
        .fetch_one(&self.pool)
        .await?)
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// A transaction that takes the write lock at once. A deferred transaction that reads and
    /// then writes fails with "database is locked" (without waiting) when another connection
    /// wrote in between; an immediate one waits its turn within the busy timeout instead.
    pub async fn write_tx(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub async fn close(self) {
        self.pool.close().await;
    }

    /// Copies the database aside (consistently, via VACUUM INTO) before a layout change, so
    /// a failed or unwanted upgrade never costs the user their data.
    async fn backup_if_migrations_pending(&self) -> Result<Option<PathBuf>> {
        let has_table = sqlx::query_scalar!(
            r#"SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations') AS "has!: bool""#,
        )
        .fetch_one(&self.pool)
        .await?;
        let applied: Vec<i64> = if has_table {
            sqlx::query_scalar!(
                r#"SELECT version AS "version!" FROM _sqlx_migrations WHERE success = 1"#
            )
            .fetch_all(&self.pool)
            .await?
        } else {
            // Tables but no migration history (the caller only asks when a table exists).
            Vec::new()
        };
        let pending = MIGRATOR.iter().any(|m| !applied.contains(&m.version));
        if !pending {
            return Ok(None);
        }
        let newest = applied.iter().max().copied().unwrap_or(0);
        let backup = self
            .path
            .with_extension(format!("before-migration-{newest}.db"));
        // Copied under a name of this process's own, then renamed into place in one step: a
        // reader never sees half a copy, and two upgrades never write the same file.
        let partial = self.path.with_extension(format!(
            "before-migration-{newest}.{}-{}.partial",
            std::process::id(),
            unique_suffix()
        ));
        let _ = std::fs::remove_file(&partial);
        let partial_text = partial.to_string_lossy().to_string();
        sqlx::query!("VACUUM INTO ?", partial_text)
            .execute(&self.pool)
            .await?;
        std::fs::rename(&partial, &backup).map_err(|e| {
            let _ = std::fs::remove_file(&partial);
            FinderError::FileUnwritable {
                path: backup.clone(),
                message: e.to_string(),
            }
        })?;
        Ok(Some(backup))
    }

    pub async fn setting(&self, key: &str) -> Result<Option<serde_json::Value>> {
        let raw: Option<String> =
            sqlx::query_scalar!("SELECT value_json FROM settings WHERE key = ?", key)
                .fetch_optional(&self.pool)
                .await?;
        Ok(raw.and_then(|r| serde_json::from_str(&r).ok()))
    }

    pub async fn set_setting(&self, key: &str, value: &serde_json::Value) -> Result<()> {
        let value_json = value.to_string();
        sqlx::query!(
            "INSERT INTO settings (key, value_json) VALUES (?, ?)
             ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json",
            key,
            value_json,
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

/// A number no other copy in this process uses (threads may open stores together).
fn unique_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// An exclusive lock held while a database is created or migrated: an exclusive transaction
/// on a small SQLite file beside it (`<name>.open-lock`). SQLite's own locking works across
/// processes on every platform, waits its turn, and is released by the system if the process
/// dies, so a crash never leaves the database locked.
struct OpenLock {
    conn: sqlx::SqliteConnection,
}

impl OpenLock {
    /// Long enough for another process to copy and migrate a large database.
    const WAIT: Duration = Duration::from_secs(300);

    async fn acquire(db_path: &Path) -> std::result::Result<OpenLock, sqlx::Error> {
        use sqlx::Connection;
        let options = SqliteConnectOptions::new()
            .filename(db_path.with_extension("open-lock"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Delete)
            .busy_timeout(Self::WAIT);
        let mut conn = sqlx::SqliteConnection::connect_with(&options).await?;
        sqlx::query!("BEGIN EXCLUSIVE").execute(&mut conn).await?;
        Ok(OpenLock { conn })
    }

    async fn release(mut self) {
        use sqlx::Connection;
        let _ = sqlx::query!("ROLLBACK").execute(&mut self.conn).await;
        let _ = self.conn.close().await;
    }
}

fn friendly_open_error(e: &sqlx::Error) -> String {
    let text = e.to_string();
    if text.contains("file is not a database") {
        "the file is not a Comment Finder database (or it is damaged)".into()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn creates_then_reopens_without_backup() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/cf.db");
        let (store, report) = Store::open(&path).await.unwrap();
        assert!(report.created);
        store
            .set_setting("tier", &serde_json::json!("free"))
            .await
            .unwrap();
        store.close().await;
        let (store, report) = Store::open(&path).await.unwrap();
        assert_eq!(
            report,
            OpenReport {
                created: false,
                backup: None
            }
        );
        assert_eq!(
            store.setting("tier").await.unwrap(),
            Some(serde_json::json!("free"))
        );
    }

    #[tokio::test]
    async fn pending_migrations_copy_the_file_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            // An older database: a user table but none of our migrations applied yet.
            let (store, _) = Store::open(&dir.path().join("scratch.db")).await.unwrap();
            drop(store);
            let pool = SqlitePool::connect_with(
                SqliteConnectOptions::from_str("sqlite://")
                    .unwrap()
                    .filename(&path)
                    .create_if_missing(true),
            )
            .await
            .unwrap();
            sqlx::query("CREATE TABLE keepme (x TEXT)")
                .execute(&pool)
                .await
                .unwrap();
            sqlx::query("INSERT INTO keepme VALUES ('precious')")
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        }
        let (_store, report) = Store::open(&path).await.unwrap();
        let backup = report.backup.expect("a backup is made before migrating");
        let pool = SqlitePool::connect_with(
            SqliteConnectOptions::from_str("sqlite://")
                .unwrap()
                .filename(&backup),
        )
        .await
        .unwrap();
        let kept: String = sqlx::query_scalar("SELECT x FROM keepme")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(kept, "precious");
    }

    #[tokio::test]
    async fn a_non_database_file_gets_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.db");
        std::fs::write(&path, "these are my notes, not a database ".repeat(200)).unwrap();
        let err = match Store::open(&path).await {
            Err(e) => e,
            Ok(_) => panic!("opening a text file as a database must fail"),
        };
        assert!(
            err.to_string().contains("not a Comment Finder database"),
            "{err}"
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap().len(),
            35 * 200,
            "the file is untouched"
        );
    }
}
