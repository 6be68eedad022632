//! A throwaway PostgreSQL cluster for a test binary: `initdb` into a fresh
//! temporary directory, `postgres` on a free 127.0.0.1 port (its unix socket
//! in that directory), started once and shared by the binary's tests, each
//! of which takes its own schema or database.
//!
//! The binaries come from `USSO_TEST_PG_BIN`, else `pg_config --bindir`,
//! else the newest `/usr/lib/postgresql/*/bin` (Debian's layout). `initdb`
//! and `postgres` refuse to run as root, so as root they run as the
//! `postgres` system user (created by Debian's package) through `runuser`.
//!
//! The server is stopped and its directory removed when the test process
//! ends, however it ends (a panic, an abort, a `SIGKILL`): it runs under a
//! small `sh` supervisor that waits for its stdin to close, and only this
//! process holds the other end of that pipe, which the kernel closes when
//! the process is gone. (A guard in a `static` would never be dropped.)
//!
//! Without the binaries, or if the cluster doesn't come up in time, every
//! test that asks for it fails with the reason.

use std::io::Read as _;
use std::net::TcpListener;
use std::os::unix::fs::MetadataExt as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

/// The variable naming the directory of `initdb`, `postgres` and `pg_isready`.
pub(crate) const BIN_VAR: &str = "USSO_TEST_PG_BIN";

/// The superuser `initdb` creates (trusted on loopback only).
const USER: &str = "usso";

/// How long `initdb`, and then the server's start, may take.
const INITDB_TIMEOUT: Duration = Duration::from_secs(120);
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// The running cluster.
pub(crate) struct Cluster {
    port: u16,
    dir: PathBuf,
    /// The supervisor's stdin: closing it (at process exit) stops the server.
    _stop: Mutex<ChildStdin>,
    _supervisor: Mutex<Child>,
    next: AtomicUsize,
}

/// The binary's cluster, started on first use. Panics (failing the test)
/// with the reason when it can't be started.
pub(crate) fn cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
    match CLUSTER.get_or_init(Cluster::start) {
        Ok(cluster) => cluster,
        Err(why) => panic!("no PostgreSQL server for this test: {why}"),
    }
}

impl Cluster {
    /// Connection options for the cluster's `postgres` database over TCP.
    pub(crate) fn options(&self) -> PgConnectOptions {
        PgConnectOptions::new()
            .host("127.0.0.1")
            .port(self.port)
            .username(USER)
            .database("postgres")
    }

    /// The URL of database `name`.
    pub(crate) fn url(&self, name: &str) -> String {
        format!("postgres://{USER}@127.0.0.1:{}/{name}", self.port)
    }

    /// A fresh, unique name (`<prefix>_<n>`).
    fn unique(&self, prefix: &str) -> String {
        format!("{prefix}_{}", self.next.fetch_add(1, Ordering::Relaxed))
    }

    /// A pool whose connections see only a new, empty schema (their
    /// `search_path`), so that tests sharing the cluster don't meet.
    pub(crate) async fn fresh_schema(&self) -> PgPool {
        let schema = self.unique("t");
        let admin = self.admin().await;
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&admin)
            .await
            .unwrap_or_else(|e| panic!("CREATE SCHEMA {schema}: {e}"));
        admin.close().await;
        PgPoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(self.options().options([("search_path", schema.as_str())]))
            .await
            .unwrap_or_else(|e| panic!("connecting to schema {schema}: {e}"))
    }

    /// A new, empty database; returns its URL.
    pub(crate) async fn fresh_database(&self) -> String {
        let name = self.unique("db");
        let admin = self.admin().await;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
        admin.close().await;
        self.url(&name)
    }

    async fn admin(&self) -> PgPool {
        PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(self.options())
            .await
            .unwrap_or_else(|e| panic!("connecting to the cluster on port {}: {e}", self.port))
    }

    fn start() -> Result<Self, String> {
        let bin = bin_dir()?;
        let runner = Runner::new()?;
        // A port is only ours once the server binds it; another process may
        // take it between our probe and the bind, so try a few times, each
        // in a fresh directory (a failed attempt's supervisor removes its own).
        let mut last = String::new();
        for attempt in 0..3 {
            let dir = runner.temp_dir()?;
            let mut initdb = runner.command(&bin.join("initdb"));
            initdb
                .arg("-D")
                .arg(dir.join("data"))
                .args(["-A", "trust", "-U", USER, "-E", "UTF8", "--no-sync"])
                .args(["--locale", "C"]);
            run_bounded(initdb, INITDB_TIMEOUT).map_err(|e| format!("initdb: {e}"))?;
            let port = free_port()?;
            match Self::launch(&runner, &bin, &dir, port, attempt) {
                Ok(cluster) => return Ok(cluster),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    fn launch(
        runner: &Runner,
        bin: &Path,
        dir: &Path,
        port: u16,
        attempt: usize,
    ) -> Result<Self, String> {
        // `postgres` in the background, its output on our log file. Once
        // stdin closes (this process is gone), a fast shutdown, bounded;
        // once `postgres` has exited, for whatever reason, the directory goes.
        // (An asynchronous list reads /dev/null unless redirected: hence fd 3.)
        let script = r#"
            bin=$1 dir=$2 port=$3
            "$bin/postgres" -D "$dir/data" -p "$port" -k "$dir" \
                -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
                -c full_page_writes=off -c max_connections=200 </dev/null &
            pg=$!
            exec 3<&0
            (cat <&3 >/dev/null; kill -INT "$pg"; sleep 10; kill -KILL "$pg") 2>/dev/null &
            exec 3<&-
            wait "$pg"
            rm -rf "$dir"
        "#;
        // The log is ours (created here, so readable whoever runs the
        // server); it is unlinked once the server is up.
        let log_path =
            std::env::temp_dir().join(format!("usso-pg-{}-{attempt}.log", std::process::id()));
        let log = std::fs::File::create(&log_path)
            .map_err(|e| format!("creating {}: {e}", log_path.display()))?;
        let log_err = log
            .try_clone()
            .map_err(|e| format!("cloning the log's handle: {e}"))?;
        let mut sh = runner.command(Path::new("sh"));
        sh.args(["-c", script, "sh"])
            .arg(bin)
            .arg(dir)
            .arg(port.to_string())
            .stdin(Stdio::piped())
            .stdout(log)
            .stderr(log_err)
            // Its own process group: a Ctrl-C of the test run reaches the
            // tests, and the supervisor still cleans up after them.
            .process_group(0);
        let spawned = sh.spawn();
        let result = spawned
            .map_err(|e| format!("starting sh: {e}"))
            .and_then(|mut supervisor| {
                let Some(stop) = supervisor.stdin.take() else {
                    return Err("the supervisor has no stdin".into());
                };
                let cluster = Self {
                    port,
                    dir: dir.to_owned(),
                    _stop: Mutex::new(stop),
                    _supervisor: Mutex::new(supervisor),
                    next: AtomicUsize::new(0),
                };
                cluster.wait_ready(bin, &log_path)?;
                Ok(cluster)
            });
        let _ = std::fs::remove_file(&log_path);
        result
    }

    /// Waits until our server says it is ready (so the port is its own) and
    /// `pg_isready` agrees; fails, with the server's log, if it exits first.
    fn wait_ready(&self, bin: &Path, log_path: &Path) -> Result<(), String> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let log = std::fs::read_to_string(log_path).unwrap_or_default();
            let exited = match self._supervisor.lock() {
                Ok(mut child) => child.try_wait().ok().flatten().is_some(),
                Err(_) => true,
            };
            if exited {
                return Err(format!(
                    "postgres exited while starting on port {} in {}:\n{log}",
                    self.port,
                    self.dir.display()
                ));
            }
            if log.contains("database system is ready to accept connections") {
                let ready = Command::new(bin.join("pg_isready"))
                    .args(["-h", "127.0.0.1", "-t", "2", "-p"])
                    .arg(self.port.to_string())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .map_err(|e| format!("running pg_isready: {e}"))?;
                if ready.success() {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "postgres did not accept connections on port {} within {START_TIMEOUT:?}:\n{log}",
                    self.port
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Runs commands as this user, or as `postgres` when this process is root.
struct Runner {
    as_postgres: bool,
}

impl Runner {
    fn new() -> Result<Self, String> {
        // The owner of /proc/self is the effective uid.
        let euid = std::fs::metadata("/proc/self")
            .map_err(|e| format!("reading /proc/self to learn the effective uid: {e}"))?
            .uid();
        let as_postgres = euid == 0;
        if as_postgres {
            let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
            if !passwd.lines().any(|l| l.starts_with("postgres:")) {
                return Err("running as root, and initdb refuses root, but there is no \
                     `postgres` user to run it as (Debian's `postgresql` package creates it)"
                    .into());
            }
        }
        Ok(Self { as_postgres })
    }

    fn command(&self, program: &Path) -> Command {
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        }
    }

    /// A new directory owned by the user the server runs as.
    fn temp_dir(&self) -> Result<PathBuf, String> {
        let mut mktemp = self.command(Path::new("mktemp"));
        mktemp.args(["-d", "/tmp/usso-pg.XXXXXXXX"]);
        let out = run_bounded(mktemp, Duration::from_secs(30))
            .map_err(|e| format!("creating the cluster's directory: {e}"))?;
        Ok(PathBuf::from(out.trim()))
    }
}

/// The directory holding `initdb`, `postgres` and `pg_isready`.
fn bin_dir() -> Result<PathBuf, String> {
    let has_all = |dir: &Path| {
        ["initdb", "postgres", "pg_isready"]
            .iter()
            .all(|b| dir.join(b).is_file())
    };
    if let Some(dir) = std::env::var_os(BIN_VAR) {
        let dir = PathBuf::from(dir);
        return if has_all(&dir) {
            Ok(dir)
        } else {
            Err(format!(
                "{BIN_VAR}={} has no initdb, postgres and pg_isready",
                dir.display()
            ))
        };
    }
    let mut tried = Vec::new();
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if has_all(&dir) {
            return Ok(dir);
        }
        tried.push(dir.display().to_string());
    }
    // Debian: /usr/lib/postgresql/<major>/bin; the newest major wins.
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let major = e.file_name().to_str()?.parse().ok()?;
            Some((major, e.path().join("bin")))
        })
        .filter(|(_, dir)| has_all(dir))
        .collect();
    found.sort();
    match found.pop() {
        Some((_, dir)) => Ok(dir),
        None => {
            tried.push("/usr/lib/postgresql/*/bin".into());
            Err(format!(
                "no PostgreSQL server binaries (initdb, postgres, pg_isready) in {}; \
                 install Debian's `postgresql` package or set {BIN_VAR}",
                tried.join(", ")
            ))
        }
    }
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("finding a free port on 127.0.0.1: {e}"))
}

/// Runs `command` to completion within `timeout`; its stdout, or why it failed.
fn run_bounded(mut command: Command, timeout: Duration) -> Result<String, String> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("starting {:?}: {e}", command.get_program()))?;
    // Read both pipes on threads, so a chatty child can't block on a full pipe.
    let read = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_string(&mut text);
            }
            text
        })
    };
    let out = read(child.stdout.take().map(|p| Box::new(p) as _));
    let err = read(child.stderr.take().map(|p| Box::new(p) as _));
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{:?} did not finish within {timeout:?}",
                    command.get_program()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("waiting for {:?}: {e}", command.get_program())),
        }
    };
    let out = out.join().unwrap_or_default();
    let err = err.join().unwrap_or_default();
    if status.success() {
        Ok(out)
    } else {
        Err(format!("{status}:\n{out}{err}"))
    }
}
