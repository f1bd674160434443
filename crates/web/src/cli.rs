//! `anjuan serve`, `anjuan import`, `anjuan user`.

use crate::App;
use anjuan_report::cli::{StoreChoice, StoreFlags, DATABASE_ENV};
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

/// Where a command's store is: the data folder's SQLite file (one PC), or
/// a PostgreSQL database (`--database`, several servers and scan workers).
/// Commands take it as [`StoreChoice<StoreArgs>`]: the two exclude each
/// other on the command line, and an explicit `--data` wins over
/// `ANJUAN_DATABASE`.
#[derive(Debug, Clone, clap::Args)]
pub struct StoreArgs {
    /// The data folder (its database is DIR/anjuan.db; made if missing).
    #[arg(long, value_name = "DIR", required_unless_present = "database")]
    pub data: Option<PathBuf>,
    /// A PostgreSQL database instead of the data folder
    /// (postgres://USER:PASSWORD@HOST:PORT/NAME), migrated if need be;
    /// also read from ANJUAN_DATABASE, which keeps the password out of `ps`
    /// (an explicit --data wins over it).
    #[arg(long, value_name = "URL", env = DATABASE_ENV, hide_env_values = true)]
    pub database: Option<String>,
}

impl StoreFlags for StoreArgs {
    fn forget_database(&mut self) {
        self.database = None;
    }
}

impl StoreArgs {
    /// Opens the store (the data folder made if missing).
    pub fn open(&self) -> anyhow::Result<Arc<dyn Store>> {
        Ok(anjuan_store::open_store(
            self.data.as_deref(),
            self.database.as_deref(),
        )?)
    }

    /// The store as messages name it: the database file, or the URL
    /// without its password.
    pub fn describe(&self) -> String {
        match (&self.database, &self.data) {
            (Some(url), _) => anjuan_store::postgres::redacted(url),
            (None, Some(dir)) => dir.join(DB_FILE).display().to_string(),
            (None, None) => String::new(),
        }
    }

    /// The option that names the store, for the hints commands print.
    fn option(&self) -> String {
        match (&self.database, &self.data) {
            (Some(url), _) => format!("--database {}", anjuan_store::postgres::redacted(url)),
            (None, Some(dir)) => format!("--data {}", dir.display()),
            (None, None) => String::new(),
        }
    }
}

/// `anjuan serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub store: StoreChoice<StoreArgs>,
    /// Address and port to listen on. Only this machine can reach the
    /// default; another address opens the app to the network.
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// A folder of scans (each written by `anjuan scan --out`) that
    /// supervisors may import from the page.
    #[arg(long, value_name = "DIR")]
    pub scans: Option<PathBuf>,
}

/// The server keeps nothing but its store: with `--database` it needs no
/// data folder (the scans to import from the page are `--scans`).
pub fn serve(args: &ServeArgs) -> anyhow::Result<i32> {
    let store = args.store.open()?;
    if store.users()?.is_empty() {
        eprintln!(
            "anjuan serve: no accounts yet: add one with `anjuan user add NAME --role admin {}`",
            args.store.option()
        );
    }
    let app = Arc::new(App {
        store,
        scans: args.scans.clone(),
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(crate::serve(app, args.bind, |addr| {
        match (&args.store.database, &args.store.data) {
            (None, Some(dir)) => println!("anjuan serve: http://{addr}/ (data {})", dir.display()),
            _ => println!(
                "anjuan serve: http://{addr}/ (database {})",
                args.store.describe()
            ),
        }
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
    #[command(flatten)]
    pub store: StoreChoice<StoreArgs>,
}

/// Imports every run; a dossier that fails is reported and the rest go on
/// (exit status 1 then).
pub fn import(args: &ImportArgs) -> anyhow::Result<i32> {
    let store = args.store.open()?;
    let (mut new, mut known, mut failed) = (0, 0, 0);
    for run in &args.runs {
        match import_run(store.as_ref(), run) {
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
        args.store.describe()
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
        #[command(flatten)]
        store: StoreChoice<StoreArgs>,
    },
    /// Lists the accounts.
    List {
        #[command(flatten)]
        store: StoreChoice<StoreArgs>,
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
            store,
        } => {
            if (*role == Role::Head) != unit.is_some() {
                eprintln!("anjuan user add: a head, and only a head, is added with --unit UNIT");
                return Ok(2);
            }
            let store = store.open()?;
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
        UserCmd::List { store } => {
            let store = store.open()?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    #[test]
    fn a_store_is_a_data_folder_or_a_database_not_both() {
        // The one test that parses a store: ANJUAN_DATABASE is set below,
        // and nothing else here reads it.
        std::env::remove_var(DATABASE_ENV);
        let data = Cli::try_parse_from(["serve", "--data", "d"]).unwrap();
        assert_eq!(data.serve.store.data.as_deref(), Some(Path::new("d")));
        assert_eq!(data.serve.store.database, None);
        assert_eq!(data.serve.store.describe(), "d/anjuan.db");
        let db = Cli::try_parse_from(["serve", "--database", "postgres://u:pw@h/db"]).unwrap();
        assert_eq!(db.serve.store.data, None);
        assert_eq!(db.serve.store.describe(), "postgres://u@h/db");
        assert_eq!(db.serve.store.option(), "--database postgres://u@h/db");
        assert!(Cli::try_parse_from(["serve"]).is_err());
        assert!(
            Cli::try_parse_from(["serve", "--data", "d", "--database", "postgres://h/db"]).is_err()
        );

        // ANJUAN_DATABASE stands for --database, keeping the password out
        // of `ps`; an explicit --data wins over it, an explicit --database
        // replaces it.
        std::env::set_var(DATABASE_ENV, "postgres://u:env@h/envdb");
        let env = Cli::try_parse_from(["serve"]).unwrap();
        assert_eq!(env.serve.store.data, None);
        assert_eq!(
            env.serve.store.database.as_deref(),
            Some("postgres://u:env@h/envdb")
        );
        assert_eq!(env.serve.store.describe(), "postgres://u@h/envdb");
        let data = Cli::try_parse_from(["serve", "--data", "d"]).unwrap();
        assert_eq!(data.serve.store.data.as_deref(), Some(Path::new("d")));
        assert_eq!(data.serve.store.database, None);
        assert_eq!(data.serve.store.describe(), "d/anjuan.db");
        let db = Cli::try_parse_from(["serve", "--database", "postgres://h/db"]).unwrap();
        assert_eq!(db.serve.store.database.as_deref(), Some("postgres://h/db"));
        assert!(
            Cli::try_parse_from(["serve", "--data", "d", "--database", "postgres://h/db"]).is_err()
        );
        // The password is not shown in --help.
        let help = Cli::try_parse_from(["serve", "--help"])
            .unwrap_err()
            .to_string();
        assert!(help.contains("ANJUAN_DATABASE"), "{help}");
        assert!(!help.contains("env@"), "{help}");
        std::env::remove_var(DATABASE_ENV);
    }
}
