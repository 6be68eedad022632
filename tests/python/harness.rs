//! Runs the real Python `usso` package (from PyPI) for the interop tests:
//! a venv built once, the package's lite identity server and a Python
//! service on 127.0.0.1, and one-shot calls into the package. Shared by
//! `tests/interop_python.rs` and `usso/tests/interop_cli.rs`.
//!
//! The venv lives in `<workspace>/target/python/usso-0.33.5` (or
//! `$USSO_PYTHON_VENV`). It is built in a private directory and renamed
//! into place, so concurrent test threads and binaries never see half an
//! install; threads of one binary wait for the first. If it can't be built
//! (no Python 3.11+, no network to PyPI) every interop test FAILS with the
//! reason.

#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

/// Exactly the package version the behaviour reference describes.
pub const PACKAGE: &str = "usso[all]==0.33.5";
const VERSION: &str = "0.33.5";
/// Bounds every wait on Python.
const START_TIMEOUT: Duration = Duration::from_secs(60);
const CALL_TIMEOUT: Duration = Duration::from_secs(60);
const INSTALL_TIMEOUT: Duration = Duration::from_secs(900);

fn workspace() -> PathBuf {
    // The root package's tests and the `usso` package's tests both use this
    // file; tests run in their package's directory.
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    if manifest.join("tests/python/harness.rs").exists() {
        manifest
    } else {
        manifest.join("..")
    }
}

/// The directory of the Python helper scripts.
pub fn scripts() -> PathBuf {
    workspace().join("tests/python")
}

/// The venv's interpreter, building the venv on first use.
///
/// # Panics
/// With the reason when the venv can't be built: the interop tests must
/// not pass without the package.
pub fn python() -> PathBuf {
    static VENV: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match VENV.get_or_init(setup) {
        Ok(python) => python.clone(),
        Err(why) => panic!(
            "interop tests need the real Python package `{PACKAGE}` from PyPI, and its venv \
             could not be built: {why}"
        ),
    }
}

fn venv_python(venv: &Path) -> PathBuf {
    venv.join("bin").join("python")
}

fn package_ok(python: &Path) -> bool {
    let check = format!(
        "import importlib.metadata as m, usso.lite, fastapi, uvicorn; \
         assert m.version('usso') == '{VERSION}'"
    );
    Command::new(python)
        .args(["-c", &check])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn setup() -> Result<PathBuf, String> {
    let venv = std::env::var_os("USSO_PYTHON_VENV").map_or_else(
        || {
            workspace()
                .join("target/python")
                .join(format!("usso-{VERSION}"))
        },
        PathBuf::from,
    );
    if package_ok(&venv_python(&venv)) {
        return Ok(venv_python(&venv));
    }
    let started = Instant::now();
    let base = find_python()?;
    let parent = venv
        .parent()
        .ok_or_else(|| format!("bad venv path {}", venv.display()))?;
    std::fs::create_dir_all(parent).map_err(|e| format!("create {}: {e}", parent.display()))?;
    // Build privately, then rename into place: a reader sees all or nothing.
    let private = parent.join(format!(".building-{}-{}", std::process::id(), nanos()));
    let result = build_venv(&base, &private);
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&private);
        return Err(e);
    }
    if std::fs::rename(&private, &venv).is_err() {
        // Another process finished first (or a broken venv is in the way).
        let _ = std::fs::remove_dir_all(&private);
        if !package_ok(&venv_python(&venv)) {
            return Err(format!(
                "{} exists but does not hold {PACKAGE}; delete it and rerun",
                venv.display()
            ));
        }
    }
    eprintln!(
        "interop: built the venv with {PACKAGE} in {:.0} s at {}",
        started.elapsed().as_secs_f64(),
        venv.display()
    );
    Ok(venv_python(&venv))
}

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

fn find_python() -> Result<PathBuf, String> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(p) = std::env::var_os("USSO_PYTHON") {
        candidates.push(p.into());
    }
    candidates.extend(["python3.11", "python3.12", "python3.13", "python3"].map(PathBuf::from));
    for candidate in candidates {
        let ok = Command::new(&candidate)
            .args([
                "-c",
                "import sys, venv; sys.exit(sys.version_info < (3, 11))",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Ok(candidate);
        }
    }
    Err("no Python 3.11 or newer with the `venv` module was found \
         (tried $USSO_PYTHON, python3.11, python3.12, python3.13, python3)"
        .into())
}

fn build_venv(base: &Path, dir: &Path) -> Result<(), String> {
    let mut venv = Command::new(base);
    venv.args(["-m", "venv"]).arg(dir);
    run(venv, Duration::from_secs(120), "python -m venv")?;
    let mut pip = Command::new(venv_python(dir));
    pip.args([
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--no-input",
        "--quiet",
        PACKAGE,
    ]);
    run(
        pip,
        INSTALL_TIMEOUT,
        &format!("pip install {PACKAGE} (is PyPI reachable?)"),
    )?;
    if !package_ok(&venv_python(dir)) {
        return Err(format!("{PACKAGE} installed but `import usso.lite` fails"));
    }
    Ok(())
}

/// Runs `cmd` to completion within `timeout`; its output in the error.
fn run(mut cmd: Command, timeout: Duration, what: &str) -> Result<String, String> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{what}: cannot start: {e}"))?;
    let (stdout, stderr) = drain(&mut child);
    let status = wait(&mut child, timeout).map_err(|e| format!("{what}: {e}"))?;
    let out = stdout.join().unwrap_or_default();
    let err = stderr.join().unwrap_or_default();
    if status.success() {
        Ok(out)
    } else {
        let tail: String = err
            .chars()
            .rev()
            .take(2000)
            .collect::<String>()
            .chars()
            .rev()
            .collect();
        Err(format!("{what} failed ({status}): {tail}"))
    }
}

pub type Reader = std::thread::JoinHandle<String>;

pub fn drain(child: &mut Child) -> (Reader, Reader) {
    let read = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = r.read_to_string(&mut s);
            s
        })
    };
    let out = child
        .stdout
        .take()
        .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>);
    let err = child
        .stderr
        .take()
        .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>);
    (
        read(out.unwrap_or_else(|| Box::new(std::io::empty()))),
        read(err.unwrap_or_else(|| Box::new(std::io::empty()))),
    )
}

pub fn wait(child: &mut Child, timeout: Duration) -> Result<std::process::ExitStatus, String> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            return Ok(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("timed out after {} s", timeout.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Calls `tests/python/tool.py COMMAND` with `request` on stdin; returns
/// its JSON answer. Blocking: call it from `spawn_blocking` when the test's
/// runtime must keep serving (e.g. a `TestIssuer` the tool fetches from).
///
/// # Panics
/// When the tool fails or runs longer than a minute.
pub fn tool(command: &str, request: &Value) -> Value {
    let mut child = Command::new(python())
        .arg(scripts().join("tool.py"))
        .arg(command)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start tool.py: {e}"));
    let (stdout, stderr) = drain(&mut child);
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(request.to_string().as_bytes())
            .unwrap_or_else(|e| panic!("tool.py stdin: {e}"));
    }
    let status =
        wait(&mut child, CALL_TIMEOUT).unwrap_or_else(|e| panic!("tool.py {command}: {e}"));
    let out = stdout.join().unwrap_or_default();
    let err = stderr.join().unwrap_or_default();
    assert!(
        status.success(),
        "tool.py {command} failed ({status}): {err}"
    );
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("tool.py {command}: {e}: {out}"))
}

/// [`tool`] off the async runtime's thread.
pub async fn tool_async(command: &'static str, request: Value) -> Value {
    tokio::task::spawn_blocking(move || tool(command, &request))
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

/// A private temporary directory, removed on drop.
#[derive(Debug)]
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "usso-interop-{tag}-{}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed),
            nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A process serving HTTP on 127.0.0.1, killed on drop.
#[derive(Debug)]
pub struct Server {
    child: Child,
    pub base: String,
    log: PathBuf,
    _dir: TempDir,
}

impl Server {
    /// The server's stderr so far, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `cmd`, which must print `<marker><value>` on a line of stdout
/// once it is bound; returns the server and that value.
///
/// # Panics
/// When it exits or prints nothing within a minute, with its stderr.
pub fn spawn_server(
    mut cmd: Command,
    marker: &'static str,
    what: &str,
    dir: TempDir,
) -> (Server, String) {
    let log = dir.0.join("stderr.log");
    let stderr = std::fs::File::create(&log).unwrap_or_else(|e| panic!("{}: {e}", log.display()));
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    let stdout = child
        .stdout
        .take()
        .unwrap_or_else(|| panic!("{what}: no stdout"));
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        while let Some(Ok(line)) = lines.next() {
            if let Some(value) = line.strip_prefix(marker) {
                let _ = tx.send(value.trim().to_owned());
                break;
            }
        }
        // Keep draining so the child never blocks on a full pipe.
        for _ in lines {}
    });
    let server = |child, base| Server {
        child,
        base,
        log: log.clone(),
        _dir: dir,
    };
    match rx.recv_timeout(START_TIMEOUT) {
        Ok(value) => {
            let base = if marker == "PORT=" {
                format!("http://127.0.0.1:{value}")
            } else {
                format!("http://{value}")
            };
            (server(child, base), value)
        }
        Err(_) => {
            let mut s = server(child, String::new());
            let _ = s.child.kill();
            let _ = s.child.wait();
            let mut err = String::new();
            let _ = std::fs::File::open(&s.log).and_then(|mut f| f.read_to_string(&mut err));
            panic!(
                "{what} did not start within {} s: {err}",
                START_TIMEOUT.as_secs()
            );
        }
    }
}

/// Waits (at most a minute) until `GET {base}{path}` answers at all.
pub async fn wait_http(server: &Server, path: &str) {
    let client = usso::reqwest::Client::new();
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        let attempt = client
            .get(format!("{}{path}", server.base))
            .timeout(Duration::from_secs(5))
            .send()
            .await;
        if attempt.is_ok() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{} never answered {path}: {}",
            server.base,
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The package's lite identity server (`usso.lite.create_lite_router` under
/// uvicorn, SQLite in a temp dir), issuer and audience `usso-lite`.
pub async fn start_lite() -> Server {
    let db = TempDir::new("lite");
    let mut cmd = Command::new(python());
    cmd.arg(scripts().join("serve.py"))
        .arg("lite")
        .arg(db.0.join("lite.db"))
        .current_dir(&db.0);
    // The database and the signing key next to it live as long as the server.
    let (server, _) = spawn_server(cmd, "PORT=", "the usso.lite server", db);
    wait_http(&server, "/.well-known/jwks.json").await;
    server
}

/// A FastAPI service guarded by the package's `USSOAuthentication()`,
/// configured from `env` exactly as a deployed Python service is.
pub async fn start_service(env: &[(&str, &str)]) -> Server {
    let mut cmd = Command::new(python());
    cmd.arg(scripts().join("serve.py")).arg("service");
    for var in ["JWT_CONFIGS", "JWT_CONFIG", "USSO_BASE_URL"] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    let (server, _) = spawn_server(cmd, "PORT=", "the Python usso service", TempDir::new("svc"));
    wait_http(&server, "/me").await;
    server
}

/// Tokens from the lite server, obtained through its real HTTP API.
#[derive(Debug, Clone)]
pub struct LiteLogin {
    pub access: String,
    pub refresh: String,
    pub user_id: String,
}

/// Registers `email` (password `correct-horse-battery`) and logs in.
pub async fn lite_login(lite: &Server, email: &str) -> LiteLogin {
    let client = usso::reqwest::Client::new();
    let login = serde_json::json!({"identifier": email, "secret": "correct-horse-battery"});
    let mut register = login.clone();
    register["name"] = "Test".into();
    let post = |path: &str, body: &Value| {
        client
            .post(format!("{}{path}", lite.base))
            .header("content-type", "application/json")
            .body(body.to_string())
            .timeout(Duration::from_secs(30))
            .send()
    };
    let registered = post("/auth/register", &register).await.expect("register");
    assert!(
        registered.status().is_success(),
        "register: {} {}",
        registered.status(),
        registered.text().await.unwrap_or_default()
    );
    let login = post("/auth/login", &login).await.expect("login");
    let status = login.status();
    let text = login.text().await.unwrap_or_default();
    assert!(status.is_success(), "login: {status} {text}");
    let json: Value = serde_json::from_str(&text).expect("login JSON");
    let get = |k: &str| {
        json[k]
            .as_str()
            .unwrap_or_else(|| panic!("login answer lacks {k}: {json}"))
            .to_owned()
    };
    LiteLogin {
        access: get("access_token"),
        refresh: get("refresh_token"),
        user_id: json["id"]
            .as_str()
            .or(json["user_id"].as_str())
            .unwrap_or_default()
            .to_owned(),
    }
}

/// The `JWT_CONFIG` a Python service of the lite server's fleet uses.
pub fn lite_jwt_config(lite: &Server) -> Value {
    serde_json::json!({
        "jwks_url": format!("{}/.well-known/jwks.json", lite.base),
        "issuer": "usso-lite",
        "audience": "usso-lite",
    })
}

/// The claims of a token, unverified (to compare with what came back).
pub fn payload(token: &str) -> Value {
    use base64::Engine as _;
    let part = token.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON")
}

/// `token` with one signature character changed.
pub fn tamper(token: &str) -> String {
    let (rest, sig) = token.rsplit_once('.').expect("a JWT");
    let mut sig = sig.as_bytes().to_vec();
    sig[4] = if sig[4] == b'A' { b'B' } else { b'A' };
    format!("{rest}.{}", String::from_utf8(sig).expect("ASCII"))
}
