//! Weights distribution: a version's weights file is fetched from its on-chain `weights_uri`
//! (`http://`, `https://` or `file://`) and used only once its sha256 equals the chain's
//! `weights_hash`.
//!
//! A download goes to `<file>.partial` and resumes where it stopped (an HTTP `Range` request;
//! a server that ignores it sends the whole file again). Progress is printed to stderr. A file
//! whose hash differs is refused with an error naming both hashes and deleted, so the next
//! attempt starts clean.

use std::{
	io::{IsTerminal, Write},
	path::{Path, PathBuf},
	time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};
use http_body_util::{BodyExt, Empty};
use hyper::{body::Bytes, Request, StatusCode, Uri};
use hyper_util::rt::TokioIo;
use sha2::{Digest, Sha256};

use crate::input;

/// How long one connection may stay silent before the download is abandoned (it resumes on the
/// next attempt).
const STALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Where a download in progress is kept.
fn partial_path(dest: &Path) -> PathBuf {
	let mut name = dest.file_name().unwrap_or_default().to_os_string();
	name.push(".partial");
	dest.with_file_name(name)
}

/// sha256 of a file, read in chunks.
pub fn sha256_of_file(path: &Path) -> Result<[u8; 32]> {
	let mut file =
		std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
	let mut hasher = Sha256::new();
	std::io::copy(&mut file, &mut hasher).with_context(|| format!("reading {}", path.display()))?;
	Ok(hasher.finalize().into())
}

/// Makes `dest` hold the weights whose sha256 is `expected`: kept if it already does, else
/// fetched from `uri` (resuming a partial download) and checked.
pub async fn ensure(uri: &str, dest: &Path, expected: [u8; 32]) -> Result<()> {
	if dest.exists() && sha256_of_file(dest)? == expected {
		log::info!(
			"{} already holds the weights (sha256 0x{})",
			dest.display(),
			hex::encode(expected)
		);
		return Ok(());
	}
	if let Some(parent) = dest.parent().filter(|parent| !parent.as_os_str().is_empty()) {
		std::fs::create_dir_all(parent)
			.with_context(|| format!("creating {}", parent.display()))?;
	}
	let partial = partial_path(dest);
	if let Some(path) = uri.strip_prefix("file://") {
		copy_file(Path::new(path), &partial).await?;
	} else {
		download(uri, &partial).await?;
	}
	let actual = sha256_of_file(&partial)?;
	if actual != expected {
		std::fs::remove_file(&partial).ok();
		bail!(
			"the weights from {uri} have sha256 0x{}, but the chain records 0x{}: refused (and \
			 deleted); the URI serves other weights than the registered version's",
			hex::encode(actual),
			hex::encode(expected)
		);
	}
	std::fs::rename(&partial, dest)
		.with_context(|| format!("moving the weights to {}", dest.display()))?;
	log::info!("fetched {} (sha256 0x{} checked)", dest.display(), hex::encode(expected));
	Ok(())
}

// File writes are blocking: a fetch runs before the worker serves anything (or as its own
// command), so it holds up nothing else.
async fn copy_file(source: &Path, partial: &Path) -> Result<()> {
	let total =
		std::fs::metadata(source).with_context(|| format!("reading {}", source.display()))?.len();
	let mut progress = Progress::new(total, 0);
	let mut reader = std::fs::File::open(source)?;
	let mut writer = std::fs::File::create(partial)?;
	let mut buffer = vec![0u8; 1 << 20];
	loop {
		let read = std::io::Read::read(&mut reader, &mut buffer)?;
		if read == 0 {
			break;
		}
		writer.write_all(&buffer[..read])?;
		progress.advance(read as u64);
	}
	writer.sync_all()?;
	progress.done();
	Ok(())
}

/// GETs `uri` into `partial`, asking only for the bytes it lacks.
async fn download(uri: &str, partial: &Path) -> Result<()> {
	let parsed: Uri = uri.parse().with_context(|| format!("not a URI: {uri:?}"))?;
	let have = std::fs::metadata(partial).map(|meta| meta.len()).unwrap_or(0);
	let stream = input::connect(&parsed).await.map_err(|e| anyhow::anyhow!("{uri}: {e}"))?;
	let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
		.await
		.with_context(|| format!("HTTP with {uri}"))?;
	let driver = tokio::spawn(connection);
	let authority = parsed.authority().map(|a| a.as_str().to_string()).unwrap_or_default();
	let path = parsed.path_and_query().map(|p| p.as_str()).unwrap_or("/");
	let mut request = Request::get(path).header(hyper::header::HOST, authority).header(
		hyper::header::USER_AGENT,
		concat!("modelchain-worker/", env!("CARGO_PKG_VERSION")),
	);
	if have > 0 {
		request = request.header(hyper::header::RANGE, format!("bytes={have}-"));
	}
	let response = sender
		.send_request(request.body(Empty::<Bytes>::new())?)
		.await
		.with_context(|| format!("GET {uri}"))?;
	let status = response.status();
	let (append, start) = match status {
		StatusCode::PARTIAL_CONTENT => (true, have),
		StatusCode::OK => (false, 0),
		// Asked for bytes past the end: the partial file is complete (or too long; the hash
		// tells).
		StatusCode::RANGE_NOT_SATISFIABLE if have > 0 => {
			driver.abort();
			return Ok(());
		}
		other => bail!("GET {uri}: the server answered {other}"),
	};
	let total = response
		.headers()
		.get(hyper::header::CONTENT_LENGTH)
		.and_then(|value| value.to_str().ok())
		.and_then(|value| value.parse::<u64>().ok())
		.map(|length| length + start);
	if append {
		log::info!("resuming {uri} at byte {have}");
	}
	let mut file = std::fs::OpenOptions::new()
		.create(true)
		.write(true)
		.append(append)
		.truncate(!append)
		.open(partial)
		.with_context(|| format!("opening {}", partial.display()))?;
	let mut progress = Progress::new(total.unwrap_or(0), start);
	let mut body = response.into_body();
	loop {
		let frame = match tokio::time::timeout(STALL_TIMEOUT, body.frame()).await {
			Err(_) => bail!("GET {uri}: no data for {STALL_TIMEOUT:?}; run again to resume"),
			Ok(None) => break,
			Ok(Some(frame)) => {
				frame.with_context(|| format!("GET {uri}: interrupted; run again to resume"))?
			}
		};
		if let Some(data) = frame.data_ref() {
			file.write_all(data)?;
			progress.advance(data.len() as u64);
		}
	}
	file.sync_all()?;
	driver.abort();
	progress.done();
	Ok(())
}

/// A progress bar on a terminal, a line per tenth otherwise.
struct Progress {
	total: u64,
	done: u64,
	started: Instant,
	shown: u64,
	terminal: bool,
}

impl Progress {
	fn new(total: u64, done: u64) -> Self {
		Self {
			total,
			done,
			started: Instant::now(),
			shown: 0,
			terminal: std::io::stderr().is_terminal(),
		}
	}

	fn advance(&mut self, bytes: u64) {
		self.done += bytes;
		let step = if self.terminal { self.total / 100 } else { self.total / 10 }.max(1 << 20);
		if self.done >= self.shown + step {
			self.shown = self.done;
			self.show();
		}
	}

	fn show(&self) {
		let mib = |bytes: u64| bytes as f64 / f64::from(1 << 20);
		let rate = mib(self.done) / self.started.elapsed().as_secs_f64().max(1e-3);
		let line = match (self.done * 100).checked_div(self.total) {
			Some(percent) => {
				let percent = percent.min(100);
				let filled = (percent / 5) as usize;
				format!(
					"[{}{}] {percent:>3}% {:.1}/{:.1} MiB {rate:.1} MiB/s",
					"#".repeat(filled),
					"-".repeat(20 - filled),
					mib(self.done),
					mib(self.total)
				)
			}
			None => format!("{:.1} MiB {rate:.1} MiB/s", mib(self.done)),
		};
		let mut stderr = std::io::stderr();
		if self.terminal {
			let _ = write!(stderr, "\r{line}");
		} else {
			let _ = writeln!(stderr, "{line}");
		}
	}

	fn done(&mut self) {
		self.show();
		if self.terminal {
			let _ = writeln!(std::io::stderr());
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::sync::{
		atomic::{AtomicUsize, Ordering},
		Arc,
	};
	use tokio::{
		io::{AsyncReadExt, AsyncWriteExt},
		net::TcpListener,
	};

	/// Serves `body` over HTTP, honouring `Range: bytes=N-`; the first `cut_first` answers stop
	/// after half the body (a dropped connection). Returns the URL and the request count.
	async fn serve(body: Vec<u8>, cut_first: usize) -> (String, Arc<AtomicUsize>) {
		let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
		let url = format!("http://{}/weights.bin", listener.local_addr().expect("addr"));
		let requests = Arc::new(AtomicUsize::new(0));
		let counter = requests.clone();
		tokio::spawn(async move {
			while let Ok((mut socket, _)) = listener.accept().await {
				let n = counter.fetch_add(1, Ordering::SeqCst);
				let mut request = vec![0u8; 4096];
				let read = socket.read(&mut request).await.unwrap_or(0);
				let text = String::from_utf8_lossy(&request[..read]).to_lowercase();
				let from = text
					.split("range: bytes=")
					.nth(1)
					.and_then(|rest| rest.split('-').next())
					.and_then(|start| start.trim().parse::<usize>().ok());
				let (status, slice) = match from {
					Some(start) => ("206 Partial Content", &body[start.min(body.len())..]),
					None => ("200 OK", &body[..]),
				};
				let head = format!(
					"HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
					slice.len()
				);
				let _ = socket.write_all(head.as_bytes()).await;
				let sent = if n < cut_first { &slice[..slice.len() / 2] } else { slice };
				let _ = socket.write_all(sent).await;
				let _ = socket.shutdown().await;
			}
		});
		(url, requests)
	}

	fn weights() -> Vec<u8> {
		(0..300_000u32).flat_map(|i| (i.wrapping_mul(2_654_435_761)).to_le_bytes()).collect()
	}

	#[tokio::test]
	async fn an_interrupted_download_resumes_and_is_checked() {
		let body = weights();
		let expected: [u8; 32] = Sha256::digest(&body).into();
		let (url, requests) = serve(body.clone(), 1).await;
		let dir = tempdir();
		let dest = dir.join("model.gguf");
		// The first attempt is cut off half way: an error, and half the file kept.
		assert!(ensure(&url, &dest, expected).await.is_err());
		let kept = std::fs::metadata(partial_path(&dest)).expect("partial kept").len();
		assert!(kept > 0 && kept < body.len() as u64, "{kept}");
		// The second asks only for the rest, and the whole file checks out.
		ensure(&url, &dest, expected).await.expect("resumes");
		assert_eq!(std::fs::read(&dest).expect("file"), body);
		assert_eq!(requests.load(Ordering::SeqCst), 2);
		// A third finds the file in place and downloads nothing.
		ensure(&url, &dest, expected).await.expect("kept");
		assert_eq!(requests.load(Ordering::SeqCst), 2);
	}

	#[tokio::test]
	async fn weights_that_differ_from_the_chain_are_refused_and_deleted() {
		let body = weights();
		let mut expected: [u8; 32] = Sha256::digest(&body).into();
		expected[0] ^= 1;
		let (url, _) = serve(body, 0).await;
		let dir = tempdir();
		let dest = dir.join("model.gguf");
		let error = ensure(&url, &dest, expected).await.expect_err("refused").to_string();
		assert!(error.contains("but the chain records"), "{error}");
		assert!(!dest.exists() && !partial_path(&dest).exists());
	}

	#[tokio::test]
	async fn file_uris_are_copied_and_checked() {
		let body = weights();
		let expected: [u8; 32] = Sha256::digest(&body).into();
		let dir = tempdir();
		let source = dir.join("source.bin");
		std::fs::write(&source, &body).expect("writes");
		let dest = dir.join("copy.bin");
		ensure(&format!("file://{}", source.display()), &dest, expected).await.expect("copies");
		assert_eq!(std::fs::read(&dest).expect("file"), body);
		let missing = ensure("file:///nonexistent/weights", &dir.join("x"), expected).await;
		assert!(missing.is_err());
	}

	fn tempdir() -> PathBuf {
		let dir = std::env::temp_dir().join(format!(
			"modelchain-weights-{}-{}",
			std::process::id(),
			std::time::SystemTime::now()
				.duration_since(std::time::UNIX_EPOCH)
				.map(|d| d.as_nanos())
				.unwrap_or_default()
		));
		std::fs::create_dir_all(&dir).expect("temp dir");
		dir
	}
}
