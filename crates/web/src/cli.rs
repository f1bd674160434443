//! `anjuan serve`, `anjuan import`, `anjuan user`.

use crate::App;
use anjuan_store::{import_run, Imported, Role, SqliteStore, Store};
use std::io::{BufRead, IsTerminal, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The database file inside a data folder.
pub use anjuan_store::sqlite::DB_FILE;

/// Opens (creating if need be) the store of the data folder `dir`.
pub fn open_data(dir: &Path) -> anyhow::Result<SqliteStore> {
    std::fs::create_dir_all(dir)
        .map_err(|e| anyhow::anyhow!("{}: cannot create the data folder: {e}", dir.display()))?;
    Ok(SqliteStore::open(&dir.join(DB_FILE))?)
}

/// `anjuan serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// The data folder (its database is DIR/anjuan.db; made if missing).
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
    /// Address and port to listen on. Only this machine can reach the
    /// default; another address opens the app to the network.
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// A folder of scans (each written by `anjuan scan --out`) that
    /// supervisors may import from the page.
    #[arg(long, value_name = "DIR")]
    pub scans: Option<PathBuf>,
}

pub fn serve(args: &ServeArgs) -> anyhow::Result<i32> {
    let store = open_data(&args.data)?;
    if store.users()?.is_empty() {
        eprintln!(
            "anjuan serve: no accounts yet: add one with `anjuan user add NAME --role admin --data {}`",
            args.data.display()
        );
    }
    let app = Arc::new(App {
        store: Arc::new(store),
        scans: args.scans.clone(),
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(crate::serve(app, args.bind, |addr| {
        println!(
            "anjuan serve: http://{addr}/ (data {})",
            args.data.display()
        );
        let _ = std::io::stdout().flush();
    }))?;
    Ok(0)
}

/// `anjuan import`.
#[derive(Debug, Clone, clap::Args)]
pub struct ImportArgs {
    /// Folders written by `anjuan scan --out`.
    #[arg(required = true)]
    pub runs: Vec<PathBuf>,
    /// The data folder.
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
}

/// Imports every run; a dossier that fails is reported and the rest go on
/// (exit status 1 then).
pub fn import(args: &ImportArgs) -> anyhow::Result<i32> {
    let store = open_data(&args.data)?;
    let (mut new, mut known, mut failed) = (0, 0, 0);
    for run in &args.runs {
        match import_run(&store, run) {
            Err(e) => {
                eprintln!("anjuan import: {e}");
                failed += 1;
            }
            Ok(outcomes) => {
                for o in outcomes {
                    match o.result {
                        Ok(Imported::New(_)) => new += 1,
                        Ok(Imported::Existing(_)) => known += 1,
                        Err(e) => {
                            eprintln!("anjuan import: {e}");
                            failed += 1;
                        }
                    }
                }
            }
        }
    }
    println!(
        "imported {new} dossiers, {known} already there, {failed} failed, into {}",
        args.data.join(DB_FILE).display()
    );
    Ok(if failed > 0 { 1 } else { 0 })
}

/// `anjuan user`.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum UserCmd {
    /// Adds an account; the password is read from the terminal (or one line
    /// of standard input).
    Add {
        name: String,
        /// admin, reviewer, supervisor, or head (a unit's head: sees the
        /// reports of their unit, edits its rectification list).
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The unit a head heads, as the reports name it.
        #[arg(long)]
        unit: Option<String>,
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
    },
    /// Lists the accounts.
    List {
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| format!("{s:?}: a role is admin, reviewer, supervisor or head"))
}

/// Shortest password accepted.
pub const MIN_PASSWORD: usize = 8;

pub fn user(cmd: &UserCmd) -> anyhow::Result<i32> {
    match cmd {
        UserCmd::Add {
            name,
            role,
            unit,
            data,
        } => {
            if (*role == Role::Head) != unit.is_some() {
                eprintln!("anjuan user add: a head, and only a head, is added with --unit UNIT");
                return Ok(2);
            }
            let store = open_data(data)?;
            let password = read_password()?;
            if password.chars().count() < MIN_PASSWORD {
                eprintln!("anjuan user add: a password has at least {MIN_PASSWORD} characters");
                return Ok(2);
            }
            let hash = crate::auth::hash_password(&password).map_err(anyhow::Error::msg)?;
            let added = store.add_user(name, *role, &hash).and_then(|id| {
                if let Some(u) = unit {
                    store.set_unit_of(id, u)?;
                }
                Ok(id)
            });
            match added {
                Ok(_) => {
                    println!("added {} ({})", name.trim(), role.as_str());
                    Ok(0)
                }
                Err(e) => {
                    eprintln!("anjuan user add: {e}");
                    Ok(2)
                }
            }
        }
        UserCmd::List { data } => {
            let store = open_data(data)?;
            for u in store.users()? {
                println!(
                    "{}\t{}\t{}",
                    u.name,
                    u.role.as_str(),
                    u.unit.as_deref().unwrap_or("")
                );
            }
            Ok(0)
        }
    }
}

fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let first = rpassword::prompt_password("password: ")?;
        let again = rpassword::prompt_password("again: ")?;
        if first != again {
            anyhow::bail!("the two passwords differ");
        }
        return Ok(first);
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}
