//! What only the PostgreSQL store has: migrations raced by several servers,
//! several servers deciding at once, the call from another runtime's
//! blocking threads, the caller's own transactions, the scan queue.

use super::*;
use std::sync::Barrier;

/// Four servers started at once on a fresh database migrate it once; a
/// database newer than the program is refused and left as it was.
#[test]
fn migrations_run_once_when_four_servers_start_at_once() {
    let url = pg_database();
    let gate = Barrier::new(4);
    let stores: Vec<PgStore> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    gate.wait();
                    PgStore::connect(&url)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap().expect("every server starts"))
            .collect()
    });
    for s in &stores {
        assert_eq!(s.schema_version().unwrap(), 1);
    }
    assert_eq!(
        pg_query(
            &url,
            "SELECT count(*)::text || ' ' || string_agg(version::text || name, ',') FROM anjuan_schema"
        ),
        "1 10001_initial"
    );
    // All four work on the one schema.
    stores[0].add_user("张三", Role::Reviewer, "h").unwrap();
    assert_eq!(stores[3].users().unwrap().len(), 1);
    drop(stores);

    // A newer program migrated the database further.
    pg_exec(
        &url,
        "INSERT INTO anjuan_schema (version, name, applied_ms) VALUES (2, '0002_future', 0);
         CREATE TABLE future_things (id BIGINT);",
    )
    .unwrap();
    let e = PgStore::connect(&url).err().expect("refused").to_string();
    assert!(e.contains("newer") && e.contains("schema 2"), "{e}");
    assert!(e.contains(&url), "the error names the database: {e}");
    assert_eq!(
        pg_query(&url, "SELECT count(*)::text FROM anjuan_schema"),
        "2",
        "not touched"
    );
}

#[test]
fn errors_name_the_database_without_its_password() {
    let cluster = pgcluster::Cluster::shared().unwrap();
    let url = format!(
        "postgres://anjuan:secret-pw@127.0.0.1:{}/no_such_database",
        cluster.port()
    );
    let e = PgStore::connect(&url)
        .err()
        .expect("no such database")
        .to_string();
    assert!(
        e.contains(&format!(
            "postgres://anjuan@127.0.0.1:{}/no_such_database",
            cluster.port()
        )),
        "{e}"
    );
    assert!(e.contains("no_such_database\" does not exist"), "{e}");
    assert!(!e.contains("secret-pw"), "{e}");
    // Nobody listening: said at once, not after the pool's timeout.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://anjuan:pw@127.0.0.1:{port}/anjuan");
    let t = std::time::Instant::now();
    let e = PgStore::connect(&url)
        .err()
        .expect("nobody there")
        .to_string();
    assert!(t.elapsed().as_secs() < 10, "{:?}", t.elapsed());
    assert!(
        e.contains(&format!(
            "postgres://anjuan@127.0.0.1:{port}/anjuan: cannot connect"
        )),
        "{e}"
    );
    let e = PgStore::connect("mysql://x").err().unwrap().to_string();
    assert!(e.contains("mysql://x"), "{e}");
}

/// Two servers (two stores, two pools) on one database, eight threads
/// deciding on the same items at once from the same view, round after
/// round: exactly one decision per item and view is accepted, the others
/// are refused as stale naming the winner, and the log holds exactly the
/// accepted ones.
#[test]
fn two_servers_deciding_on_the_same_items_accept_one_decision_per_view() {
    let w = postgres_world();
    let Backend::Postgres { url } = &w.backend else {
        unreachable!()
    };
    let servers: [Arc<dyn Store>; 2] = [w.store.clone(), Arc::new(PgStore::connect(url).unwrap())];
    let mine = w.assignments[0];
    let items = ["P-1.1.1", "P-2.2.7", "P-3.1.1", "P-4.1.1", "P-5.2.3"];
    let threads = 8;
    let rounds = 15;
    let mut accepted: Vec<Seq> = Vec::new();
    for round in 0..rounds {
        let log = servers[round % 2].decisions(mine).unwrap();
        let seen: Vec<Seq> = items.iter().map(|i| latest_seq(&log, i)).collect();
        let gate = Barrier::new(threads);
        let outcomes: Vec<Vec<(usize, std::result::Result<Seq, StoreError>)>> =
            std::thread::scope(|s| {
                let handles: Vec<_> = (0..threads)
                    .map(|t| {
                        let store = servers[t % 2].clone();
                        let (gate, seen, w) = (&gate, &seen, &w);
                        s.spawn(move || {
                            gate.wait();
                            // Each thread goes through the items in its own order.
                            (0..items.len())
                                .map(|k| {
                                    let i = (k + t) % items.len();
                                    let d = NewDecision {
                                        action: if (t + round) % 2 == 0 {
                                            Action::Confirm
                                        } else {
                                            Action::Comment
                                        },
                                        ..confirm(mine, w.a, items[i], seen[i])
                                    };
                                    (i, store.decide(&d))
                                })
                                .collect()
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
        for (i, _) in items.iter().enumerate() {
            let of_item: Vec<&std::result::Result<Seq, StoreError>> = outcomes
                .iter()
                .flatten()
                .filter(|(k, _)| *k == i)
                .map(|(_, r)| r)
                .collect();
            let won: Vec<Seq> = of_item
                .iter()
                .filter_map(|r| r.as_ref().ok())
                .copied()
                .collect();
            assert_eq!(won.len(), 1, "round {round}, {}: {of_item:?}", items[i]);
            for r in of_item {
                match r {
                    Ok(_) => {}
                    Err(StoreError::Stale {
                        seen: s, latest, ..
                    }) => {
                        assert_eq!((*s, *latest), (seen[i], won[0]));
                    }
                    Err(e) => panic!("round {round}: {e}"),
                }
            }
            accepted.push(won[0]);
        }
    }
    accepted.sort_unstable();
    for server in &servers {
        let log: Vec<Seq> = server
            .decisions(mine)
            .unwrap()
            .iter()
            .map(|d| d.seq)
            .collect();
        assert_eq!(log, accepted, "the log is exactly the accepted decisions");
    }
    assert_eq!(accepted.len(), items.len() * rounds);
}

/// The web server calls the store from `spawn_blocking` threads of its own
/// runtime: the store's runtime is another one, and that works, many calls
/// at once; the last handle may even go in async code.
#[test]
fn the_store_serves_from_spawn_blocking_of_another_runtime() {
    let w = postgres_world();
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let store = w.store.clone();
    let (mine, a) = (w.assignments[0], w.a);
    let acked: Vec<Seq> = server.block_on(async move {
        let tasks: Vec<_> = (0..40)
            .map(|i| {
                let store = store.clone();
                tokio::task::spawn_blocking(move || {
                    let item = format!("P-9.{i}");
                    let seq = store.decide(&confirm(mine, a, &item, 0)).unwrap();
                    let log = store.decisions(mine).unwrap();
                    assert_eq!(latest_seq(&log, &item), seq);
                    assert!(store.user(a).unwrap().is_some());
                    seq
                })
            })
            .collect();
        let mut acked = Vec::new();
        for t in tasks {
            acked.push(t.await.unwrap());
        }
        acked
    });
    assert_eq!(w.store.decisions(mine).unwrap().len(), acked.len());
    // A store made and dropped inside async code (the server's last handle
    // going as it shuts down) neither panics nor blocks.
    let Backend::Postgres { url } = &w.backend else {
        unreachable!()
    };
    let url = url.clone();
    server.block_on(async move {
        let s = tokio::task::spawn_blocking(move || PgStore::connect(&url).unwrap())
            .await
            .unwrap();
        drop(s);
    });
    drop(server);
}

/// A scan worker imports a dossier and marks its job done in one
/// transaction of its own: both or neither. The queue reads newest first.
#[test]
fn a_worker_imports_and_finishes_its_job_in_one_transaction() {
    let url = pg_database();
    let store = PgStore::connect(&url).unwrap();
    pg_exec(
        &url,
        "INSERT INTO scan_jobs (source, folder_unit, state, enqueued_ms, updated_ms) VALUES
           ('archive/甲/a.pdf', '甲', 'queued', 1000, 1000),
           ('archive/b.pdf', NULL, 'running', 2000, 2000)",
    )
    .unwrap();
    let jobs = store.scan_jobs().unwrap();
    assert_eq!(
        jobs.iter()
            .map(|j| (j.source.as_str(), j.state.as_str()))
            .collect::<Vec<_>>(),
        [("archive/b.pdf", "running"), ("archive/甲/a.pdf", "queued")]
    );
    assert_eq!(jobs[1].folder_unit.as_deref(), Some("甲"));
    let job = jobs[0].id;
    let finish = |commit: bool| -> Result<Imported> {
        store.block_on(async {
            let mut tx = store.pool().begin().await?;
            let imported =
                anjuan_store::postgres::import_in(&mut tx, &new_dossier("b", "bb22", 2)).await?;
            sqlx::query(
                "UPDATE scan_jobs SET state = 'done', dossier_id = $2, attempts = attempts + 1, worker = 'w1', updated_ms = 3000 WHERE id = $1",
            )
            .bind(job)
            .bind(imported.id())
            .execute(&mut *tx)
            .await?;
            if commit {
                tx.commit().await?;
            }
            Ok(imported)
        })
    };
    // The worker dies before committing: neither happened.
    finish(false).unwrap();
    assert!(store.dossiers().unwrap().is_empty());
    assert_eq!(store.scan_jobs().unwrap()[0].state, "running");
    let id = match finish(true).unwrap() {
        Imported::New(id) => id,
        other => panic!("{other:?}"),
    };
    let j = store.scan_jobs().unwrap().remove(0);
    assert_eq!(
        (
            j.state.as_str(),
            j.dossier_id,
            j.attempts,
            j.worker.as_deref(),
            j.updated_ms
        ),
        ("done", Some(id), 1, Some("w1"), 3000)
    );
    assert_eq!(
        store.page_text(id, 2).unwrap().as_deref(),
        Some("第2页的文字")
    );
    assert_eq!(
        store.page_view(id, 1).unwrap().as_deref(),
        Some(&b"jpeg 1"[..])
    );
    // The same input again, through the store: found, not added.
    assert_eq!(
        store.import(&new_dossier("b", "bb22", 2)).unwrap(),
        Imported::Existing(id)
    );
    // A job's state is one of the queue's.
    assert!(pg_exec(&url, "UPDATE scan_jobs SET state = 'lost'").is_err());
}

/// Two servers importing the same scans at once: one dossier per input.
#[test]
fn importing_the_same_scan_from_two_servers_at_once_keeps_one() {
    let url = pg_database();
    let servers = [
        PgStore::connect(&url).unwrap(),
        PgStore::connect(&url).unwrap(),
    ];
    let gate = Barrier::new(4);
    let ids: Vec<Vec<Imported>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let (server, gate) = (&servers[t % 2], &gate);
                s.spawn(move || {
                    gate.wait();
                    (0..10)
                        .map(|k| {
                            server
                                .import(&new_dossier(&format!("d{k}"), &format!("sha{k}"), 2))
                                .unwrap()
                        })
                        .collect()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(servers[0].dossiers().unwrap().len(), 10);
    for k in 0..10 {
        let new = ids
            .iter()
            .filter(|v| matches!(v[k], Imported::New(_)))
            .count();
        assert_eq!(new, 1, "d{k}: {ids:?}");
        assert!(ids.iter().all(|v| v[k].id() == ids[0][k].id()));
    }
}
