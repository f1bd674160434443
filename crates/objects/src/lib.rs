//! anjuan-objects: where the scan's outputs and its page cache live when more
//! than one machine scans: one interface, [`Objects`], over the
//! [`object_store`] crate.
//!
//! - `file:///srv/anjuan` or a plain absolute path: a folder (one machine, or
//!   a folder all workers mount). Each object is written to a temporary file
//!   (fsynced), renamed into place and its folder fsynced, as every other
//!   file anjuan writes: a reader sees all of an object or none, and what was
//!   put survives a power cut.
//! - `s3://bucket/prefix`: S3 or an S3-compatible store (MinIO, Ceph RGW, a
//!   provincial cloud's OSS in S3 mode). Credentials and endpoint from the
//!   usual environment variables (`AWS_ACCESS_KEY_ID`,
//!   `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT`,
//!   `AWS_ALLOW_HTTP=true` for a plain-HTTP endpoint inside a cluster).
//!   A PUT is atomic in S3: a reader sees the old object or the new one.
//!
//! Keys are `/`-separated relative paths (`cache/ocr/…/hash.json`); the
//! store's prefix (the URL's path) is put before them.
//!
//! The interface is both async (for the worker) and blocking (for the scan
//! pipeline's threads, which are not async): the blocking calls run on a
//! small runtime of the [`Objects`] itself, and must not be made from inside
//! an async task.

use futures::TryStreamExt;
use object_store::path::Path as ObjPath;
use object_store::{ObjectStore, PutPayload};
use std::sync::Arc;

#[derive(Debug)]
pub struct Error(String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// An object store and the prefix under which anjuan keeps its objects.
pub struct Objects {
    store: Arc<dyn ObjectStore>,
    /// The same store when it is a local folder: its files are synced after a put.
    local: Option<Arc<object_store::local::LocalFileSystem>>,
    prefix: ObjPath,
    url: String,
    rt: std::sync::OnceLock<tokio::runtime::Runtime>,
}

impl std::fmt::Debug for Objects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Objects({})", self.url)
    }
}

impl Objects {
    /// Opens the store at `url` (see the module's documentation). A local
    /// folder is made if missing.
    pub fn open(url: &str) -> Result<Objects> {
        let err = |what: &str| Error(format!("{url}: {what}"));
        if url.starts_with('/') || url.starts_with("file://") {
            let path = url.strip_prefix("file://").unwrap_or(url);
            if !path.starts_with('/') {
                return Err(err("a local object store is an absolute path"));
            }
            std::fs::create_dir_all(path).map_err(|e| err(&format!("cannot make it: {e}")))?;
            let store = Arc::new(
                object_store::local::LocalFileSystem::new_with_prefix(path)
                    .map_err(|e| err(&e.to_string()))?,
            );
            return Ok(Objects {
                store: store.clone(),
                local: Some(store),
                prefix: ObjPath::default(),
                url: url.to_string(),
                rt: std::sync::OnceLock::new(),
            });
        }
        if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(err("no bucket named (s3://BUCKET/PREFIX)"));
            }
            let store = object_store::aws::AmazonS3Builder::from_env()
                .with_bucket_name(bucket)
                .build()
                .map_err(|e| err(&e.to_string()))?;
            return Ok(Objects {
                store: Arc::new(store),
                local: None,
                prefix: ObjPath::parse(prefix.trim_matches('/'))
                    .map_err(|e| err(&e.to_string()))?,
                url: url.to_string(),
                rt: std::sync::OnceLock::new(),
            });
        }
        Err(err(
            "not an object store this program knows (an absolute path, file:///PATH or s3://BUCKET/PREFIX)",
        ))
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    fn path(&self, key: &str) -> Result<ObjPath> {
        let rel = ObjPath::parse(key).map_err(|e| Error(format!("{}: {key}: {e}", self.url)))?;
        Ok(self.prefix.parts().chain(rel.parts()).collect())
    }

    fn err(&self, key: &str, e: impl std::fmt::Display) -> Error {
        Error(format!("{}: {key}: {e}", self.url.trim_end_matches('/')))
    }

    /// The object at `key`, or `None` if there is none.
    pub async fn get_async(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let path = self.path(key)?;
        match self.store.get(&path).await {
            Ok(r) => Ok(Some(
                r.bytes().await.map_err(|e| self.err(key, e))?.to_vec(),
            )),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.err(key, e)),
        }
    }

    /// Writes the object at `key` whole (replacing any). In a local folder
    /// it is written as every file of anjuan's is
    /// ([`anjuan_core::fsutil::atomic_write`]: temporary file, fsync, rename,
    /// fsync of the folder), so it is on the disk when this returns.
    pub async fn put_async(&self, key: &str, bytes: Vec<u8>) -> Result<()> {
        let path = self.path(key)?;
        if let Some(local) = &self.local {
            let file = local
                .path_to_filesystem(&path)
                .map_err(|e| self.err(key, e))?;
            return tokio::task::spawn_blocking(move || {
                anjuan_core::fsutil::atomic_write(&file, &bytes)
            })
            .await
            .map_err(|e| self.err(key, e))?
            .map_err(|e| self.err(key, e));
        }
        self.store
            .put(&path, PutPayload::from(bytes))
            .await
            .map(|_| ())
            .map_err(|e| self.err(key, e))
    }

    /// The keys under `prefix` (relative to the store's prefix), sorted.
    pub async fn list_async(&self, prefix: &str) -> Result<Vec<String>> {
        let path = self.path(prefix)?;
        let base = self.prefix.parts().count();
        let mut keys: Vec<String> = self
            .store
            .list(Some(&path))
            .map_ok(|m| {
                m.location
                    .parts()
                    .skip(base)
                    .map(|p| p.as_ref().to_string())
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .try_collect()
            .await
            .map_err(|e| self.err(prefix, e))?;
        // A local put's temporary file, while it is being written.
        keys.retain(|k| {
            let name = k.rsplit('/').next().unwrap_or(k);
            !(name.starts_with(".anjuan-") && name.ends_with(".tmp"))
        });
        keys.sort();
        Ok(keys)
    }

    fn runtime(&self) -> &tokio::runtime::Runtime {
        self.rt.get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("anjuan-objects")
                .enable_all()
                .build()
                .expect("a tokio runtime for object storage")
        })
    }

    /// [`Self::get_async`], blocking.
    pub fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        self.runtime().block_on(self.get_async(key))
    }

    /// [`Self::put_async`], blocking.
    pub fn put(&self, key: &str, bytes: Vec<u8>) -> Result<()> {
        self.runtime().block_on(self.put_async(key, bytes))
    }

    /// [`Self::list_async`], blocking.
    pub fn list(&self, prefix: &str) -> Result<Vec<String>> {
        self.runtime().block_on(self.list_async(prefix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_store_puts_gets_and_lists_under_its_prefix() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("file://{}/objects", dir.path().display());
        let o = Objects::open(&url).unwrap();
        assert_eq!(o.get("cache/ocr/ab/abc.json").unwrap(), None);
        o.put("cache/ocr/ab/abc.json", b"{}".to_vec()).unwrap();
        o.put("runs/x/review.json", b"r".to_vec()).unwrap();
        assert_eq!(
            o.get("cache/ocr/ab/abc.json").unwrap(),
            Some(b"{}".to_vec())
        );
        assert_eq!(o.list("cache").unwrap(), vec!["cache/ocr/ab/abc.json"]);
        // The objects are plain files under the folder.
        assert!(dir.path().join("objects/runs/x/review.json").is_file());
        // A second handle on the same folder sees them (as another worker would).
        let again = Objects::open(dir.path().join("objects").to_str().unwrap()).unwrap();
        assert_eq!(
            again.get("runs/x/review.json").unwrap(),
            Some(b"r".to_vec())
        );
    }

    #[test]
    fn an_unknown_scheme_or_relative_path_is_refused_naming_it() {
        let e = Objects::open("ftp://x/y").unwrap_err().to_string();
        assert!(e.starts_with("ftp://x/y: not an object store"), "{e}");
        let e = Objects::open("file://relative").unwrap_err().to_string();
        assert!(e.contains("absolute path"), "{e}");
    }
}
