//! Downloads: operations whose answer is a file (an archive, a program, a script, a CSV)
//! rather than JSON. The body is handed over whole, or streamed chunk by chunk into a file
//! with memory bounded by one chunk.
//!
//! Time: the call's timeout bounds the wait for the answer's head (token, retries and
//! back-off included, as for any call), then each wait for the next chunk. The transfer as
//! a whole has no bound: a large file over a slow link may take longer than the timeout,
//! as long as it keeps coming.
//!
//! Retries happen only before the first byte of a success is accepted: a transfer that
//! breaks midway is the caller's error, never started again behind their back.
//!
//! A file is written beside its target under a temporary name and renamed over the target
//! once complete. A failure, or the call's cancellation (its future dropped: Ctrl-C on the
//! sync client, a cancelled task on the async one), removes the temporary file, so the
//! target is either the whole download or untouched.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use tokio::io::AsyncWriteExt;

use crate::api::Operation;
use crate::client::{CallOptions, Core};
use crate::error::{CoreError, CoreResult};
use crate::http::{Reading, Request, Response, Unread};

/// Where a download goes.
#[derive(Debug, Clone)]
pub enum Destination {
    Memory,
    /// This file, created or replaced once the download is complete.
    File(PathBuf),
}

#[derive(Debug)]
pub enum Downloaded {
    Bytes(Bytes),
    /// The file written (the path as given).
    File(PathBuf),
}

impl Core {
    /// Send a download's request and hand its body over as `to` says.
    pub async fn download(
        &self,
        op: &Operation,
        request: Request,
        options: CallOptions,
        to: Destination,
    ) -> CoreResult<Downloaded> {
        match to {
            Destination::Memory => {
                let response = self
                    .exchange(op, &request, options, Reading::Streamed)
                    .await?;
                let mut body = Vec::new();
                body.extend_from_slice(&response.body);
                let mut stream = Stream::of(self, &request, options, response);
                if let Some(length) = stream.announced_length() {
                    // Room for the announced length at once, rather than doubling (and
                    // copying) on the way; a length that cannot be had is not reserved.
                    let _ = body.try_reserve_exact(usize::try_from(length).unwrap_or(0));
                }
                while let Some(chunk) = stream.next().await? {
                    body.extend_from_slice(&chunk);
                }
                Ok(Downloaded::Bytes(Bytes::from(body)))
            }
            Destination::File(target) => {
                // Made before sending: a folder that does not exist or cannot be written
                // fails at once, with nothing sent.
                let mut part = PartFile::beside(&target)?;
                let response = self
                    .exchange(op, &request, options, Reading::Streamed)
                    .await?;
                part.write(&response.body).await?;
                let mut stream = Stream::of(self, &request, options, response);
                while let Some(chunk) = stream.next().await? {
                    part.write(&chunk).await?;
                }
                part.finish(&target).await?;
                Ok(Downloaded::File(target))
            }
        }
    }
}

/// The rest of a 2xx body, read chunk by chunk, each wait bounded by the call's timeout.
struct Stream {
    unread: Option<Unread>,
    gap: std::time::Duration,
    method: String,
    url: String,
}

impl Stream {
    fn of(core: &Core, request: &Request, options: CallOptions, response: Response) -> Stream {
        Stream {
            unread: response.unread,
            gap: core.timeout(options),
            method: request.method.to_string(),
            url: response.url,
        }
    }

    fn announced_length(&self) -> Option<u64> {
        self.unread.as_ref().and_then(Unread::announced_length)
    }

    async fn next(&mut self) -> CoreResult<Option<Bytes>> {
        let Some(unread) = self.unread.as_mut() else {
            return Ok(None);
        };
        unread.chunk(self.gap).await.map_err(|failure| {
            let timed_out = || CoreError::Timeout {
                method: self.method.clone(),
                url: self.url.clone(),
                seconds: self.gap.as_secs_f64(),
            };
            match failure.into_error(self.method.clone(), self.url.clone(), timed_out) {
                CoreError::Connection {
                    method,
                    url,
                    message,
                    kind,
                } => CoreError::Connection {
                    method,
                    url,
                    message: format!("the download broke off: {message}"),
                    kind,
                },
                other => other,
            }
        })
    }
}

/// A download's temporary file, beside its target; removed on drop unless it became the
/// target.
struct PartFile {
    path: PathBuf,
    file: Option<tokio::fs::File>,
    kept: bool,
}

impl PartFile {
    fn beside(target: &Path) -> CoreResult<PartFile> {
        let name = target
            .file_name()
            .ok_or_else(|| file_error(target, "names no file", None))?;
        if target.is_dir() {
            return Err(file_error(target, "is a folder", Some(EISDIR)));
        }
        let folder = match target.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        // Dot-named so that a listing of the folder does not show it as a finished file;
        // random so that two downloads to the same target do not share one.
        let mut part_name = std::ffi::OsString::from(".");
        part_name.push(name);
        part_name.push(format!(".{:016x}.part", rand::random::<u64>()));
        let path = folder.join(part_name);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| io_error(&path, &e))?;
        Ok(PartFile {
            path,
            file: Some(tokio::fs::File::from_std(file)),
            kept: false,
        })
    }

    async fn write(&mut self, chunk: &[u8]) -> CoreResult<()> {
        if chunk.is_empty() {
            return Ok(());
        }
        let Some(file) = self.file.as_mut() else {
            return Ok(());
        };
        file.write_all(chunk)
            .await
            .map_err(|e| io_error(&self.path, &e))
    }

    /// Everything on disk, then the temporary file renamed over the target.
    async fn finish(&mut self, target: &Path) -> CoreResult<()> {
        if let Some(mut file) = self.file.take() {
            file.flush().await.map_err(|e| io_error(&self.path, &e))?;
            file.sync_all()
                .await
                .map_err(|e| io_error(&self.path, &e))?;
        }
        tokio::fs::rename(&self.path, target)
            .await
            .map_err(|e| io_error(target, &e))?;
        self.kept = true;
        Ok(())
    }
}

impl Drop for PartFile {
    fn drop(&mut self) {
        if !self.kept {
            // Close first (where an open file cannot be removed); a failure to remove
            // leaves a dot-named `.part` file, never a target that looks complete.
            drop(self.file.take());
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn io_error(path: &Path, err: &std::io::Error) -> CoreError {
    let message = err.to_string();
    // The OS's own wording without the "(os error N)" tail: the number travels apart.
    let message = match message.rfind(" (os error") {
        Some(end) => message.get(..end).unwrap_or(&message).to_string(),
        None => message,
    };
    file_error(path, &message, err.raw_os_error())
}

fn file_error(path: &Path, message: &str, errno: Option<i32>) -> CoreError {
    CoreError::File {
        path: path.display().to_string(),
        message: message.to_string(),
        errno,
    }
}

/// `EISDIR`, the number Linux, the BSDs, macOS and Windows' C runtime give "is a
/// directory" (Python turns it into `IsADirectoryError`).
const EISDIR: i32 = 21;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::bind::bind;
    use crate::api::Catalogue;
    use crate::config::ConfigInput;
    use crate::secret::Secret;
    use std::time::{Duration, Instant};
    use tokio::io::AsyncReadExt;

    /// A server of one answer whose six body bytes come one by one, `gap` apart.
    async fn trickling(gap: Duration) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bound");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.expect("a connection");
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                socket.read_exact(&mut byte).await.expect("the request");
                head.push(byte[0]);
            }
            let answer =
                b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 6\r\n\r\n";
            socket.write_all(answer).await.expect("the head");
            for byte in b"abcdef" {
                tokio::time::sleep(gap).await;
                if socket.write_all(&[*byte]).await.is_err() {
                    return;
                }
            }
        });
        url
    }

    async fn download_from(url: String, timeout: f64) -> CoreResult<Downloaded> {
        let input = ConfigInput {
            base_url: Some(url),
            token: Some(Secret::new("a-token".to_string())),
            timeout: Some(timeout),
            max_retries: Some(0),
            ..ConfigInput::default()
        };
        let core = Core::new(input.resolve(&|_| None).expect("settings").config).expect("core");
        let op = Catalogue::get()
            .operation("get_installer_linux")
            .expect("in the catalogue");
        let request = bind(op, vec![], vec![]).expect("bound");
        core.download(op, request, CallOptions::default(), Destination::Memory)
            .await
    }

    #[tokio::test]
    async fn the_timeout_bounds_each_gap_not_the_whole_transfer() {
        // Six gaps of 150 ms: 900 ms in all, each well within the 500 ms timeout.
        let started = Instant::now();
        let body = download_from(trickling(Duration::from_millis(150)).await, 0.5).await;
        assert!(matches!(body, Ok(Downloaded::Bytes(ref b)) if b.as_ref() == b"abcdef"));
        assert!(started.elapsed() > Duration::from_millis(500));
        // One gap longer than the timeout ends it.
        let stalled = download_from(trickling(Duration::from_millis(800)).await, 0.3).await;
        assert!(
            matches!(stalled, Err(CoreError::Timeout { .. })),
            "{stalled:?}"
        );
    }

    fn scratch(name: &str) -> PathBuf {
        let folder = std::env::temp_dir().join(format!(
            "runai-admin-download-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&folder);
        std::fs::create_dir_all(&folder).expect("a scratch folder");
        folder
    }

    fn entries(folder: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(folder)
            .expect("readable")
            .map(|e| {
                e.expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }

    #[tokio::test]
    async fn a_finished_part_file_becomes_the_target() {
        let folder = scratch("finished");
        let target = folder.join("runai");
        let mut part = PartFile::beside(&target).expect("created");
        assert_eq!(entries(&folder).len(), 1);
        part.write(b"hello ").await.expect("written");
        part.write(b"world").await.expect("written");
        part.finish(&target).await.expect("renamed");
        drop(part);
        assert_eq!(entries(&folder), vec!["runai".to_string()]);
        assert_eq!(std::fs::read(&target).expect("read"), b"hello world");
    }

    #[tokio::test]
    async fn an_abandoned_part_file_leaves_nothing() {
        let folder = scratch("abandoned");
        std::fs::write(folder.join("runai"), b"the old one").expect("written");
        let mut part = PartFile::beside(&folder.join("runai")).expect("created");
        part.write(b"half").await.expect("written");
        drop(part);
        assert_eq!(entries(&folder), vec!["runai".to_string()]);
        assert_eq!(
            std::fs::read(folder.join("runai")).expect("read"),
            b"the old one"
        );
    }

    #[test]
    fn a_folder_or_a_missing_folder_is_refused_by_name() {
        let folder = scratch("refused");
        let CoreError::File { path, errno, .. } = PartFile::beside(&folder).err().expect("refused")
        else {
            unreachable!("a file error")
        };
        assert_eq!(path, folder.display().to_string());
        assert_eq!(errno, Some(21));
        let missing = folder.join("no-such-folder").join("runai");
        match PartFile::beside(&missing).err() {
            Some(CoreError::File { message, .. }) => assert!(!message.is_empty()),
            other => unreachable!("{other:?}"),
        }
    }
}
