//! A throw-away PostgreSQL cluster on a loopback port, for the tests and the
//! benchmarks that need a real server (the store suite on PostgreSQL, the
//! workers' test, the throughput bench).
//!
//! It runs Debian's server binaries (`/usr/lib/postgresql/N/bin`, the newest
//! N; or `ANJUAN_PG_BIN`), as the `postgres` account when run as root
//! (`initdb` refuses root), in a fresh folder under the temporary folder,
//! listening on 127.0.0.1 only, trust authentication for the one user
//! `anjuan` (nothing leaves this machine), `fsync` on as in production. It is
//! stopped (`pg_ctl stop -m immediate`) and its folder removed when dropped.

use std::io::{Error, ErrorKind, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
}

/// The server's binaries: `ANJUAN_PG_BIN`, else the newest
/// `/usr/lib/postgresql/N/bin` with an `initdb`.
pub fn server_bin() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("ANJUAN_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((v, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, b)| b).ok_or_else(|| {
        Error::new(
            ErrorKind::NotFound,
            "PostgreSQL's server is not installed (no /usr/lib/postgresql/N/bin/initdb): run scripts/setup.sh, or set ANJUAN_PG_BIN",
        )
    })
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn is_root() -> bool {
    // The effective user of this process; `id -u` without a libc binding.
    std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false)
}

impl Cluster {
    /// Makes and starts a new cluster; waits until it accepts connections.
    pub fn start() -> Result<Cluster> {
        let bin = server_bin()?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir =
            std::env::temp_dir().join(format!("anjuan-pg-{}-{nanos:08x}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let as_postgres = is_root();
        let mut cluster = Cluster {
            dir,
            bin,
            port: 0,
            as_postgres,
        };
        if as_postgres {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&cluster.dir)
                .status()?;
            if !status.success() {
                return Err(Error::other(
                    "cannot give the cluster's folder to the postgres account (chown failed; is PostgreSQL installed?)",
                ));
            }
        }
        let data = cluster.dir.join("data");
        cluster.run(
            "initdb",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-U".as_ref(),
                "anjuan".as_ref(),
                "-A".as_ref(),
                "trust".as_ref(),
                "-E".as_ref(),
                "UTF8".as_ref(),
                "--no-locale".as_ref(),
            ],
        )?;
        // A port can be taken between asking and binding: try a few.
        let mut last = None;
        for _ in 0..5 {
            cluster.port = free_port()?;
            let options = format!(
                "-c listen_addresses=127.0.0.1 -p {} -c unix_socket_directories={} -c max_connections=200 -c shared_buffers=64MB",
                cluster.port,
                cluster.dir.display()
            );
            let log = cluster.dir.join("server.log");
            match cluster.run(
                "pg_ctl",
                &[
                    "start".as_ref(),
                    "-w".as_ref(),
                    "-t".as_ref(),
                    "60".as_ref(),
                    "-D".as_ref(),
                    data.as_os_str(),
                    "-l".as_ref(),
                    log.as_os_str(),
                    "-o".as_ref(),
                    options.as_ref(),
                ],
            ) {
                Ok(()) => {
                    cluster.run(
                        "createdb",
                        &[
                            "-h".as_ref(),
                            "127.0.0.1".as_ref(),
                            "-p".as_ref(),
                            cluster.port.to_string().as_ref(),
                            "-U".as_ref(),
                            "anjuan".as_ref(),
                            "anjuan".as_ref(),
                        ],
                    )?;
                    return Ok(cluster);
                }
                Err(e) => {
                    let log = std::fs::read_to_string(&log).unwrap_or_default();
                    last = Some(Error::other(format!("{e}\n{log}")));
                }
            }
        }
        Err(last.unwrap_or_else(|| Error::other("pg_ctl start failed")))
    }

    fn run(&self, tool: &str, args: &[&std::ffi::OsStr]) -> Result<()> {
        let exe = self.bin.join(tool);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        let out = cmd
            .args(args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| Error::new(e.kind(), format!("{}: {e}", exe.display())))?;
        if !out.status.success() {
            return Err(Error::other(format!(
                "{} failed ({}): {}{}",
                exe.display(),
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        Ok(())
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of the cluster's `anjuan` database.
    pub fn url(&self) -> String {
        self.url_of("anjuan")
    }

    pub fn url_of(&self, database: &str) -> String {
        format!("postgres://anjuan@127.0.0.1:{}/{database}", self.port)
    }

    /// Makes an empty database and returns its URL: one per test, so tests
    /// share a cluster but not their data.
    pub fn new_database(&self, name: &str) -> Result<String> {
        self.run(
            "createdb",
            &[
                "-h".as_ref(),
                "127.0.0.1".as_ref(),
                "-p".as_ref(),
                self.port.to_string().as_ref(),
                "-U".as_ref(),
                "anjuan".as_ref(),
                name.as_ref(),
            ],
        )?;
        Ok(self.url_of(name))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// One cluster for the whole process (a test binary's tests each make
    /// their own database in it). A static is never dropped, so a watcher
    /// process stops the cluster and removes its folder once this process
    /// has ended, however it ended.
    pub fn shared() -> Result<&'static Cluster> {
        static SHARED: std::sync::OnceLock<std::result::Result<Cluster, String>> =
            std::sync::OnceLock::new();
        let c = SHARED.get_or_init(|| {
            let c = Cluster::start().map_err(|e| e.to_string())?;
            c.watch_process().map_err(|e| e.to_string())?;
            Ok(c)
        });
        c.as_ref().map_err(|e| Error::other(e.clone()))
    }

    fn watch_process(&self) -> Result<()> {
        let data = self.dir.join("data");
        let stop = format!(
            "{}'{}' stop -m immediate -D '{}'",
            if self.as_postgres {
                "runuser -u postgres -- "
            } else {
                ""
            },
            self.bin.join("pg_ctl").display(),
            data.display()
        );
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; {stop} >/dev/null 2>&1; rm -rf '{dir}'",
            pid = std::process::id(),
            dir = self.dir.display()
        );
        Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        Ok(())
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let _ = self.run(
            "pg_ctl",
            &[
                "stop".as_ref(),
                "-m".as_ref(),
                "immediate".as_ref(),
                "-D".as_ref(),
                data.as_os_str(),
            ],
        );
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cluster_starts_makes_databases_and_is_gone_when_dropped() {
        let c = Cluster::start().unwrap();
        let url = c.new_database("t1").unwrap();
        assert!(url.ends_with("/t1"), "{url}");
        let out = Command::new("psql")
            .args([url.as_str(), "-tAc", "select 1+1"])
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "2");
        let dir = c.dir().to_path_buf();
        let port = c.port();
        drop(c);
        assert!(!dir.exists());
        assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
    }
}
