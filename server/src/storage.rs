//! Where evidence files' bytes live: a small content-addressed store keyed by SHA-256.
//!
//! [`BlobStore`] is the interface; [`LocalDiskStore`] keeps blobs on local disk. An object store
//! can be added behind the same trait. Blobs are named by their hash alone, so an uploaded file's
//! name never becomes a path, and every read checks the bytes against that hash.

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use tokio::io::AsyncWriteExt;

/// The bytes of an upload as they arrive.
pub type ByteStream<'a> = Pin<Box<dyn Stream<Item = Result<Bytes, StoreError>> + Send + 'a>>;

/// A blob as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutBlob {
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Whether this put wrote the blob (false when the same bytes were already stored).
    pub created: bool,
}

/// Why a blob could not be stored or read.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The upload went past the size limit; nothing was kept.
    #[error("the file is larger than the {limit}-byte limit")]
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// No blob is stored under this hash.
    #[error("no stored file has SHA-256 {0}")]
    Missing(String),
    /// The stored bytes no longer hash to their name: the file was changed or damaged on disk.
    #[error(
        "the stored file does not match its recorded SHA-256 {expected} (it hashes to {actual})"
    )]
    Tampered {
        /// The hash it is stored under.
        expected: String,
        /// The hash of what is there now.
        actual: String,
    },
    /// The name asked for is not a SHA-256 in lowercase hex.
    #[error("not a SHA-256: {0:?}")]
    BadHash(String),
    /// The upload itself failed (e.g. the client went away or sent a malformed body).
    #[error("the upload could not be read: {0}")]
    Body(String),
    /// The disk failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// A content-addressed store of evidence files.
#[async_trait]
pub trait BlobStore: Send + Sync + std::fmt::Debug {
    /// Stores the bytes of `body`, refusing (and keeping nothing) past `limit` bytes. Storing
    /// bytes that are already there succeeds and changes nothing.
    async fn put(&self, body: ByteStream<'_>, limit: u64) -> Result<PutBlob, StoreError>;

    /// The bytes stored under `sha256`, checked against it.
    async fn get(&self, sha256: &str) -> Result<Vec<u8>, StoreError>;

    /// Deletes the bytes stored under `sha256`; bytes already gone are not an error.
    async fn remove(&self, sha256: &str) -> Result<(), StoreError>;
}

/// Whether `text` is a SHA-256 in lowercase hex (and so safe to use as a file name).
pub fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Blobs as files under one folder: `<root>/<first two hex digits>/<sha256>`, written through
/// `<root>/tmp/` and renamed into place once complete.
#[derive(Debug, Clone)]
pub struct LocalDiskStore {
    root: PathBuf,
}

/// A temporary file that removes itself unless kept, so that a refused, failed or abandoned
/// upload leaves nothing behind.
struct TempFile {
    path: PathBuf,
    keep: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

impl LocalDiskStore {
    /// A store rooted at `root` (created when the first blob is stored).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The folder it stores under.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the blob with this hash lives; the path comes from the hash alone.
    pub fn path_of(&self, sha256: &str) -> Result<PathBuf, StoreError> {
        if !is_sha256_hex(sha256) {
            return Err(StoreError::BadHash(sha256.to_owned()));
        }
        Ok(self.root.join(&sha256[..2]).join(sha256))
    }
}

#[async_trait]
impl BlobStore for LocalDiskStore {
    async fn put(&self, mut body: ByteStream<'_>, limit: u64) -> Result<PutBlob, StoreError> {
        let tmp_dir = self.root.join("tmp");
        tokio::fs::create_dir_all(&tmp_dir).await?;
        let mut temp = TempFile {
            path: tmp_dir.join(format!("{}.part", uuid::Uuid::new_v4())),
            keep: false,
        };
        let mut file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp.path)
            .await?;
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        while let Some(chunk) = body.next().await {
            let chunk = chunk?;
            size = size.saturating_add(chunk.len() as u64);
            if size > limit {
                return Err(StoreError::TooLarge { limit });
            }
            hasher.update(&chunk);
            file.write_all(&chunk).await?;
        }
        file.flush().await?;
        file.sync_all().await?;
        drop(file);
        let sha256 = hex::encode(hasher.finalize());
        let target = self.path_of(&sha256)?;
        if tokio::fs::try_exists(&target).await? {
            return Ok(PutBlob {
                sha256,
                size,
                created: false,
            });
        }
        if let Some(parent) = target.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        tokio::fs::rename(&temp.path, &target).await?;
        temp.keep = true;
        Ok(PutBlob {
            sha256,
            size,
            created: true,
        })
    }

    async fn get(&self, sha256: &str) -> Result<Vec<u8>, StoreError> {
        let path = self.path_of(sha256)?;
        let bytes = match tokio::fs::read(&path).await {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::Missing(sha256.to_owned()));
            }
            Err(e) => return Err(e.into()),
        };
        let actual = hex::encode(Sha256::digest(&bytes));
        if actual != sha256 {
            return Err(StoreError::Tampered {
                expected: sha256.to_owned(),
                actual,
            });
        }
        Ok(bytes)
    }

    async fn remove(&self, sha256: &str) -> Result<(), StoreError> {
        match tokio::fs::remove_file(self.path_of(sha256)?).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(parts: Vec<&'static [u8]>) -> ByteStream<'static> {
        Box::pin(futures_util::stream::iter(
            parts.into_iter().map(|p| Ok(Bytes::from_static(p))),
        ))
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "caf-store-{name}-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    /// Every file under `dir`, as paths relative to it.
    fn files(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    out.push(
                        path.strip_prefix(dir)
                            .expect("under dir")
                            .to_string_lossy()
                            .into_owned(),
                    );
                }
            }
        }
        out.sort();
        out
    }

    #[tokio::test]
    async fn put_get_limit_and_tamper() {
        let dir = scratch("unit");
        let store = LocalDiskStore::new(&dir);
        let expected = hex::encode(Sha256::digest(b"hello, world"));

        let put = store
            .put(chunks(vec![b"hello, ", b"world"]), 12)
            .await
            .expect("put at the limit");
        assert_eq!(put.sha256, expected);
        assert_eq!(put.size, 12);
        assert!(put.created);
        let path = format!("{}/{}", &expected[..2], expected);
        assert_eq!(files(&dir), vec![path.clone()]);
        assert_eq!(store.get(&expected).await.expect("get"), b"hello, world");

        let again = store
            .put(chunks(vec![b"hello, world"]), 100)
            .await
            .expect("put again");
        assert_eq!(again.sha256, expected);
        assert!(!again.created, "the same bytes are stored once");
        assert_eq!(files(&dir), vec![path.clone()]);

        let refused = store.put(chunks(vec![b"hello, ", b"world!"]), 12).await;
        assert!(matches!(refused, Err(StoreError::TooLarge { limit: 12 })));
        assert_eq!(files(&dir), vec![path.clone()], "no temporary file left");

        let failed = store
            .put(
                Box::pin(futures_util::stream::iter(vec![
                    Ok(Bytes::from_static(b"part")),
                    Err(StoreError::Body("connection reset".into())),
                ])),
                100,
            )
            .await;
        assert!(matches!(failed, Err(StoreError::Body(_))));
        assert_eq!(files(&dir), vec![path.clone()], "no temporary file left");

        std::fs::write(dir.join(&path), b"hello, w0rld").expect("tamper");
        match store.get(&expected).await {
            Err(StoreError::Tampered {
                expected: e,
                actual,
            }) => {
                assert_eq!(e, expected);
                assert_eq!(actual, hex::encode(Sha256::digest(b"hello, w0rld")));
            }
            other => panic!("tampering not detected: {other:?}"),
        }

        let absent = "0".repeat(64);
        assert!(matches!(
            store.get(&absent).await,
            Err(StoreError::Missing(_))
        ));
        for bad in [
            "../../etc/passwd",
            "ABCDEF",
            &"g".repeat(64),
            &"A".repeat(64),
        ] {
            assert!(matches!(store.get(bad).await, Err(StoreError::BadHash(_))));
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
