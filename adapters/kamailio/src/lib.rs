//! Kamailio as the SIP engine of vnum.
//!
//! vnum decides and Kamailio carries the decisions out: [`CONFIG`] is a Kamailio 5.6
//! configuration that asks a vnum server over HTTP for everything it needs (digest HA1s of
//! SIP accounts, the route of each inbound call, the CallerID of each outgoing call) and
//! reports every call to a rented number back to it (R4.6). It keeps no database. Its edge
//! is closed: it relays in-dialog requests only of dialogs it created, rings SIP accounts
//! only on vnum's route of a rented number, strips the headers vnum sets from outside
//! requests, refuses routes that loop back to it, and ignores flooding addresses (the
//! configuration's header says what it refuses and why).
//!
//! [`KamailioRpc`] is the [`SipEngine`](vnum_app::ports::SipEngine) port on Kamailio's
//! JSON-RPC: a SIP account whose password is reset loses its registrations.
//!
//! [`Kamailio`] runs that configuration as a child process, for tests, demos and small
//! deployments that want one supervisor:
//!
//! ```no_run
//! use vnum_kamailio::{EngineSettings, Kamailio};
//!
//! let settings = EngineSettings::new("127.0.0.1:5060".parse()?, "http://127.0.0.1:8080", "vnum_…");
//! let engine = Kamailio::start(&settings)?;
//! // … SIP traffic on udp:127.0.0.1:5060 …
//! engine.stop();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! In production, run Kamailio the usual way with `kamailio.cfg` and the environment
//! variables [`EngineSettings::environment`] lists (the file's header documents them).

use std::fmt;
use std::fs;
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::{Duration, Instant};

mod rpc;
mod spool;

pub use rpc::KamailioRpc;

/// The Kamailio configuration of vnum's SIP engine.
pub const CONFIG: &str = include_str!("../kamailio.cfg");

/// The file [`CONFIG`] reads by default for the vnum server's URL and the engine's key.
pub const HTTP_CONFIG_FILE: &str = "vnum-http.cfg";

/// Where Kamailio is looked for when it is not on `PATH` (Debian installs it in `/usr/sbin`).
const SBIN: &str = "/usr/sbin/kamailio";

/// How long a start may take before it counts as failed.
const START_TIMEOUT: Duration = Duration::from_secs(15);

/// Why the SIP engine could not run.
#[derive(Debug, thiserror::Error)]
pub enum KamailioError {
    /// No `kamailio` binary was found.
    #[error(
        "kamailio is not installed (looked on PATH and at {SBIN}); on Debian: apt-get install \
         kamailio kamailio-utils-modules kamailio-extra-modules"
    )]
    NotInstalled,
    /// The run directory or the process could not be set up.
    #[error("cannot run kamailio: {0}")]
    Io(#[from] io::Error),
    /// Kamailio refused the configuration or did not answer in time.
    #[error("kamailio did not start: {reason}\n--- its log ---\n{log}")]
    NotStarted {
        /// What went wrong.
        reason: String,
        /// The end of Kamailio's log.
        log: String,
    },
}

/// What the SIP engine needs to know: where to listen, and the vnum server it serves.
#[derive(Clone, PartialEq, Eq)]
pub struct EngineSettings {
    /// The UDP address to listen on for SIP.
    pub listen: SocketAddr,
    /// The TCP address of its JSON-RPC (`POST /RPC`), which [`KamailioRpc`] calls: one only
    /// the vnum server reaches, such as a loopback address.
    pub rpc: SocketAddr,
    /// The vnum server's base URL, such as `http://127.0.0.1:8080`.
    pub api: String,
    /// An engine API key of that server: it opens `/v1/engine/*` and nothing else.
    pub engine_key: String,
    /// The domain (and digest realm) of customers' SIP accounts: the server's `sip_domain`.
    pub sip_domain: String,
    /// Where calls to phone numbers leave, `host[:port]`: the server's `sip_gateway`.
    pub gateway: String,
    /// The voicemail server's SIP URI.
    pub voicemail: String,
    /// SIP worker processes; each holds its call while it waits for vnum.
    pub children: u16,
    /// Shared memory in MiB. Each transaction is held about 5 s after it ends at some
    /// 14 KiB: 256 MiB carries about 1,500 calls a second.
    pub shared_memory_mib: u32,
    /// Requests one source address may send in [`flood_window_seconds`](Self::flood_window_seconds)
    /// (`VNUM_FLOOD_REQUESTS`, Kamailio's `pike`); an address that sends more is ignored for
    /// [`ban_seconds`](Self::ban_seconds). A carrier that sends every call from one address
    /// needs a limit above its busiest window.
    pub flood_requests: u32,
    /// The window of [`flood_requests`](Self::flood_requests), in seconds
    /// (`VNUM_FLOOD_WINDOW`).
    pub flood_window_seconds: u32,
    /// How long a flooding address is ignored, in seconds (`VNUM_BAN_SECONDS`).
    pub ban_seconds: u32,
    /// A directory where the call records Kamailio has not posted yet are kept while it is
    /// stopped: [`Kamailio::stop`] reads them over the JSON-RPC before it stops Kamailio and
    /// writes them to `pending.json` there; [`Kamailio::start`] gives them back to the new
    /// Kamailio, which posts them when vnum takes records again. Without it, a restart
    /// while vnum does not take records loses them. A Kamailio that dies on its own keeps
    /// nothing: its records since vnum stopped taking them are lost.
    pub spool: Option<PathBuf>,
}

impl EngineSettings {
    /// Settings for the vnum server at `api` with its default SIP domain and gateway; the
    /// JSON-RPC listens on TCP at the SIP port plus 5 of the same address (5065 for 5060).
    #[must_use]
    pub fn new(listen: SocketAddr, api: &str, engine_key: &str) -> Self {
        Self {
            listen,
            rpc: SocketAddr::new(listen.ip(), listen.port().wrapping_add(5)),
            api: api.trim_end_matches('/').to_owned(),
            engine_key: engine_key.to_owned(),
            sip_domain: "sip.vnum.example".to_owned(),
            gateway: "gateway.vnum.example".to_owned(),
            voicemail: "sip:voicemail@voicemail.vnum.example".to_owned(),
            children: 4,
            shared_memory_mib: 256,
            flood_requests: 200,
            flood_window_seconds: 2,
            ban_seconds: 60,
            spool: None,
        }
    }

    /// The environment variables [`CONFIG`] reads, with their values.
    #[must_use]
    pub fn environment(&self) -> [(&'static str, String); 6] {
        [
            ("VNUM_SIP_DOMAIN", self.sip_domain.clone()),
            ("VNUM_GATEWAY", self.gateway.clone()),
            ("VNUM_VOICEMAIL", self.voicemail.clone()),
            (
                "VNUM_FLOOD_REQUESTS",
                self.flood_requests.max(1).to_string(),
            ),
            (
                "VNUM_FLOOD_WINDOW",
                self.flood_window_seconds.max(1).to_string(),
            ),
            ("VNUM_BAN_SECONDS", self.ban_seconds.max(1).to_string()),
        ]
    }

    /// The URL of its JSON-RPC, for [`KamailioRpc::new`].
    #[must_use]
    pub fn rpc_url(&self) -> String {
        format!("http://{}/RPC", self.rpc)
    }

    /// The `http_client` connection file [`CONFIG`] reads (the path in `VNUM_HTTP_CONFIG`,
    /// or [`HTTP_CONFIG_FILE`] in its working directory): the connection named `vnum`, kept open between queries, with
    /// the engine key as the Basic password.
    #[must_use]
    pub fn http_connection(&self) -> String {
        format!(
            "[vnum]\nurl = {}\nusername = kamailio\npassword = {}\nauthmethod = 1\n\
             timeout = 2\n",
            self.api, self.engine_key
        )
    }

    /// Kamailio's command-line arguments for the configuration at `config`, in the
    /// foreground with its log on stderr: SIP on UDP, the JSON-RPC on TCP.
    #[must_use]
    pub fn arguments(&self, config: &Path) -> Vec<String> {
        vec![
            "-DD".to_owned(),
            "-E".to_owned(),
            "-f".to_owned(),
            config.display().to_string(),
            "-l".to_owned(),
            format!("udp:{}", self.listen),
            "-l".to_owned(),
            format!("tcp:{}", self.rpc),
            "-n".to_owned(),
            self.children.max(1).to_string(),
            "-m".to_owned(),
            self.shared_memory_mib.max(16).to_string(),
            // TLSF allocates in constant time. Debian's default manager (q_malloc built
            // with memory debugging) searches free lists and records every allocation; under
            // load it took a tenth of the engine's time, and the calls it delayed timed out.
            "-x".to_owned(),
            "tlsf".to_owned(),
            "-X".to_owned(),
            "tlsf".to_owned(),
            // Its own run directory: no pid or control files are shared with another one.
            "-Y".to_owned(),
            config
                .parent()
                .unwrap_or_else(|| Path::new("."))
                .display()
                .to_string(),
        ]
    }
}

impl fmt::Debug for EngineSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EngineSettings")
            .field("listen", &self.listen)
            .field("rpc", &self.rpc)
            .field("api", &self.api)
            .field("engine_key", &"***")
            .field("sip_domain", &self.sip_domain)
            .field("gateway", &self.gateway)
            .field("voicemail", &self.voicemail)
            .field("children", &self.children)
            .field("shared_memory_mib", &self.shared_memory_mib)
            .field("flood_requests", &self.flood_requests)
            .field("flood_window_seconds", &self.flood_window_seconds)
            .field("ban_seconds", &self.ban_seconds)
            .field("spool", &self.spool)
            .finish()
    }
}

/// A running Kamailio with vnum's configuration. Dropping it stops it.
#[derive(Debug)]
pub struct Kamailio {
    child: Option<Child>,
    dir: PathBuf,
    listen: SocketAddr,
    rpc: SocketAddr,
    spool: Option<PathBuf>,
}

impl Kamailio {
    /// The `kamailio` binary: the file `VNUM_KAMAILIO` names when it is set (a build of
    /// one's own), else `kamailio` on the `PATH` or in `/usr/sbin`; `None` when there is none.
    #[must_use]
    pub fn binary() -> Option<PathBuf> {
        if let Some(chosen) = std::env::var_os("VNUM_KAMAILIO") {
            let chosen = PathBuf::from(chosen);
            return chosen.is_file().then_some(chosen);
        }
        let on_path = std::env::var_os("PATH").into_iter().flat_map(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join("kamailio"))
                .collect::<Vec<_>>()
        });
        on_path
            .chain([PathBuf::from(SBIN)])
            .find(|candidate| candidate.is_file())
    }

    /// Starts Kamailio with [`CONFIG`] and `settings`, and waits until it answers SIP.
    ///
    /// # Errors
    /// [`KamailioError::NotInstalled`] without a binary; [`KamailioError::NotStarted`]
    /// with Kamailio's log when it refuses the configuration, exits, or does not answer an
    /// `OPTIONS` request within 15 seconds.
    pub fn start(settings: &EngineSettings) -> Result<Self, KamailioError> {
        Self::start_with_config(settings, CONFIG)
    }

    /// Starts Kamailio with a configuration of your own (vnum's, changed for a deployment,
    /// say) and `settings`, and waits until it answers SIP. The configuration must answer
    /// an `OPTIONS` request to itself with 200.
    ///
    /// # Errors
    /// As [`Kamailio::start`].
    pub fn start_with_config(
        settings: &EngineSettings,
        config_text: &str,
    ) -> Result<Self, KamailioError> {
        let binary = Self::binary().ok_or(KamailioError::NotInstalled)?;
        let dir = run_directory(settings.listen)?;
        let config = dir.join("kamailio.cfg");
        fs::write(&config, config_text)?;
        let connection = dir.join(HTTP_CONFIG_FILE);
        write_private(&connection, &settings.http_connection())?;
        let log = fs::File::create(dir.join("kamailio.log"))?;
        let mut command = Command::new(binary);
        command
            .args(settings.arguments(&config))
            .envs(settings.environment())
            .env("VNUM_HTTP_CONFIG", &connection)
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        // Its own process group, so that stopping it stops every worker it forked.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command.spawn()?;
        let mut engine = Self {
            child: Some(child),
            dir,
            listen: settings.listen,
            rpc: settings.rpc,
            spool: settings.spool.clone(),
        };
        engine.wait_until_ready()?;
        if let Some(spool) = &engine.spool {
            spool::give_back(spool, engine.rpc)?;
        }
        Ok(engine)
    }

    /// The address it listens on (UDP).
    #[must_use]
    pub fn listen(&self) -> SocketAddr {
        self.listen
    }

    /// What it logged so far.
    #[must_use]
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.join("kamailio.log")).unwrap_or_default()
    }

    /// Stops it and every worker, waiting up to five seconds before killing them.
    pub fn stop(mut self) {
        self.shut_down();
    }

    /// Stops it as [`Kamailio::stop`] does and starts it again with [`CONFIG`] and
    /// `settings`: what a deployment does to apply new settings or a new release. With a
    /// [spool](EngineSettings::spool), the call records it had not posted yet are posted
    /// after the restart.
    ///
    /// # Errors
    /// As [`Kamailio::start`].
    pub fn restart(&mut self, settings: &EngineSettings) -> Result<(), KamailioError> {
        self.shut_down();
        *self = Self::start(settings)?;
        Ok(())
    }

    fn wait_until_ready(&mut self) -> Result<(), KamailioError> {
        let deadline = Instant::now() + START_TIMEOUT;
        let probe = UdpSocket::bind(if self.listen.is_ipv4() {
            "127.0.0.1:0"
        } else {
            "[::1]:0"
        })?;
        probe.set_read_timeout(Some(Duration::from_millis(200)))?;
        let local = probe.local_addr()?;
        let mut attempt = 0_u32;
        loop {
            if let Some(child) = self.child.as_mut()
                && let Some(status) = child.try_wait()?
            {
                return Err(self.not_started(format!("it exited with {status}")));
            }
            if Instant::now() > deadline {
                return Err(self.not_started(format!(
                    "no answer to OPTIONS on udp:{} within {} s",
                    self.listen,
                    START_TIMEOUT.as_secs()
                )));
            }
            attempt += 1;
            let options = options_request(self.listen, local, attempt);
            // Refused until it listens; the next attempt tells.
            let _ = probe.send_to(options.as_bytes(), self.listen);
            let mut answer = [0_u8; 2048];
            if let Ok((read, _)) = probe.recv_from(&mut answer)
                && answer[..read].starts_with(b"SIP/2.0 200")
            {
                return Ok(());
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    fn not_started(&mut self, reason: String) -> KamailioError {
        self.shut_down();
        let log = self.log();
        let tail: Vec<&str> = log.lines().rev().take(40).collect();
        KamailioError::NotStarted {
            reason,
            log: tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
        }
    }

    fn shut_down(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if let Some(spool) = &self.spool {
            // A Kamailio that does not answer any more holds nothing this could keep.
            if let Err(e) = spool::keep(spool, self.rpc) {
                tracing::error!(spool = %spool.display(), error = %e,
                    "the call records Kamailio had not posted could not be kept");
            }
        }
        signal_group(child.id(), "TERM");
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                // The workers may outlive the main process by a moment.
                signal_group(child.id(), "KILL");
                return;
            }
            thread::sleep(Duration::from_millis(20));
        }
        signal_group(child.id(), "KILL");
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Kamailio {
    fn drop(&mut self) {
        self.shut_down();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Writes `text` to a file only its owner may read: it holds an API key.
fn write_private(path: &Path, text: &str) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    io::Write::write_all(&mut options.open(path)?, text.as_bytes())
}

/// Sends `signal` to the process group `group` (the supervisor made Kamailio its leader).
fn signal_group(group: u32, signal: &str) {
    let _ = Command::new("kill")
        .args([format!("-{signal}"), "--".to_owned(), format!("-{group}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// A fresh directory for one Kamailio's configuration, log and control files.
fn run_directory(listen: SocketAddr) -> io::Result<PathBuf> {
    static STARTED: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "vnum-kamailio-{}-{}-{}",
        std::process::id(),
        listen.port(),
        STARTED.fetch_add(1, Ordering::Relaxed)
    ));
    if dir.exists() {
        fs::remove_dir_all(&dir)?;
    }
    fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// An `OPTIONS` request to the engine itself, which answers 200 when it runs.
fn options_request(to: SocketAddr, from: SocketAddr, attempt: u32) -> String {
    format!(
        "OPTIONS sip:{to} SIP/2.0\r\n\
         Via: SIP/2.0/UDP {from};branch=z9hG4bK-vnum-probe-{attempt}\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:probe@{from}>;tag=vnum-probe\r\n\
         To: <sip:{to}>\r\n\
         Call-ID: vnum-probe-{attempt}@{from}\r\n\
         CSeq: {attempt} OPTIONS\r\n\
         Content-Length: 0\r\n\r\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> EngineSettings {
        let listen = SocketAddr::from(([127, 0, 0, 1], 5060));
        EngineSettings::new(listen, "http://127.0.0.1:8080/", "vnum_key")
    }

    #[test]
    fn the_environment_carries_every_setting_the_configuration_reads() {
        let settings = settings();
        let environment = settings.environment();
        for (name, _) in &environment {
            assert!(
                CONFIG.contains(&format!("#!defenvs {name}\n"))
                    || CONFIG.contains(&format!("#!defenv {name}\n")),
                "{name} is not read by kamailio.cfg"
            );
        }
        let defined = CONFIG.matches("#!defenvs ").count() + CONFIG.matches("#!defenv ").count();
        assert_eq!(defined, environment.len(), "a setting is missing");

        assert!(!format!("{settings:?}").contains("vnum_key"));
    }

    #[test]
    fn the_json_rpc_listens_on_tcp_beside_sip_on_udp() {
        let settings = settings();
        let arguments = settings.arguments(Path::new("/run/vnum/kamailio.cfg"));
        assert!(arguments.contains(&"udp:127.0.0.1:5060".to_owned()));
        assert!(arguments.contains(&"tcp:127.0.0.1:5065".to_owned()));
        assert_eq!(settings.rpc_url(), "http://127.0.0.1:5065/RPC");
        // The configuration speaks SIP on UDP only: the TCP address is the JSON-RPC's.
        assert!(CONFIG.contains("if (proto != UDP) {"));
        assert!(CONFIG.contains("jsonrpc_dispatch();"));
    }

    #[test]
    fn the_connection_file_names_the_server_and_sends_the_key_as_basic_password() {
        let settings = settings();
        let file = settings.http_connection();
        assert!(CONFIG.contains(&format!("#!define VNUM_HTTP_CONFIG \"{HTTP_CONFIG_FILE}\"")));
        assert!(CONFIG.contains("http_connect(\"vnum\""));
        for line in [
            "[vnum]",
            "url = http://127.0.0.1:8080",
            "password = vnum_key",
            "authmethod = 1",
        ] {
            assert!(file.lines().any(|l| l == line), "{line} missing in {file}");
        }
    }
}
