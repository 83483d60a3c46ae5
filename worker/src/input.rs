//! Remote job inputs (`JobInput::Remote { uri, hash }`): fetched over HTTP or HTTPS with a size
//! and a time bound, and checked against the blake2-256 hash the requester put on chain.
//!
//! A fetch ends in one of three ways, and the worker acts on each the same way on every machine:
//! - the bytes, whose hash matches: the model runs on them;
//! - [`FetchError::Unusable`]: the input can never be used (a hash that does not match, more
//!   bytes than the limit, a scheme other than `http`/`https`, a malformed URI, a 4xx answer).
//!   Miners answer it like any input the model cannot read, with the engine's invalid-input
//!   output, and the job is paid like any other: the requester chose the input;
//! - [`FetchError::Unavailable`]: not now (a timeout, a refused connection, a 5xx answer). A
//!   miner retries on later blocks and answers the invalid-input output only when the commit
//!   deadline is near; a verifier gives no verdict (its own network may be at fault).

use std::{sync::Arc, time::Duration};

use anyhow::Result;
use http_body_util::{BodyExt, Empty};
use hyper::{body::Bytes, Request, StatusCode, Uri};
use hyper_util::rt::TokioIo;
use tokio::{
	io::{AsyncRead, AsyncWrite},
	net::TcpStream,
};
use tokio_rustls::rustls::{pki_types::ServerName, ClientConfig};

/// Bounds of one fetch.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
	/// Most bytes read (the body of a larger input is not read past this).
	pub max_bytes: usize,
	/// Longest a fetch may take, connection and body included.
	pub timeout: Duration,
}

/// Why a remote input could not be used.
#[derive(Debug, PartialEq, Eq)]
pub enum FetchError {
	/// It never will be: answer it as an invalid input.
	Unusable(String),
	/// Not now: try again later.
	Unavailable(String),
}

impl std::fmt::Display for FetchError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			Self::Unusable(why) => write!(f, "unusable input: {why}"),
			Self::Unavailable(why) => write!(f, "input unavailable: {why}"),
		}
	}
}

impl std::error::Error for FetchError {}

/// Fetches `uri` within `limits` and checks that its blake2-256 is `hash`.
pub async fn fetch(uri: &str, hash: &[u8; 32], limits: Limits) -> Result<Vec<u8>, FetchError> {
	let bytes = tokio::time::timeout(limits.timeout, get(uri, limits.max_bytes)).await.map_err(
		|_| FetchError::Unavailable(format!("no answer within {} ms", limits.timeout.as_millis())),
	)??;
	let actual = sp_crypto_hashing::blake2_256(&bytes);
	if &actual != hash {
		return Err(FetchError::Unusable(format!(
			"blake2-256 is 0x{}, the job says 0x{}",
			hex::encode(actual),
			hex::encode(hash)
		)));
	}
	Ok(bytes)
}

/// One GET of `uri`, reading at most `max_bytes` of its body.
async fn get(uri: &str, max_bytes: usize) -> Result<Vec<u8>, FetchError> {
	let parsed: Uri =
		uri.parse().map_err(|e| FetchError::Unusable(format!("not a URI ({e}): {uri:?}")))?;
	let stream = connect(&parsed).await?;
	get_over(stream, &parsed, max_bytes).await
}

/// A connection to an HTTP server, plain or TLS.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send + 'static {}
impl<S: AsyncRead + AsyncWrite + Unpin + Send + 'static> Io for S {}

/// Connects to the server of an `http` or `https` URI (TLS checked with the platform's
/// certificate verifier).
pub async fn connect(uri: &Uri) -> Result<Box<dyn Io>, FetchError> {
	let https = match uri.scheme_str() {
		Some("http") => false,
		Some("https") => true,
		_ => return Err(FetchError::Unusable(format!("not an http(s) URI: {uri}"))),
	};
	let host = uri
		.host()
		.ok_or_else(|| FetchError::Unusable(format!("no host in {uri}")))?
		.trim_start_matches('[')
		.trim_end_matches(']')
		.to_string();
	let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
	let tcp = TcpStream::connect((host.as_str(), port))
		.await
		.map_err(|e| FetchError::Unavailable(format!("cannot connect to {host}:{port}: {e}")))?;
	tcp.set_nodelay(true).ok();
	if !https {
		return Ok(Box::new(tcp));
	}
	let name = ServerName::try_from(host.clone())
		.map_err(|e| FetchError::Unusable(format!("bad TLS server name {host:?}: {e}")))?;
	let tls = tokio_rustls::TlsConnector::from(tls_config())
		.connect(name, tcp)
		.await
		.map_err(|e| FetchError::Unavailable(format!("TLS with {host}: {e}")))?;
	Ok(Box::new(tls))
}

/// The TLS client configuration: the platform's certificate verifier, built once.
fn tls_config() -> Arc<ClientConfig> {
	static CONFIG: std::sync::OnceLock<Arc<ClientConfig>> = std::sync::OnceLock::new();
	CONFIG
		.get_or_init(|| {
			use rustls_platform_verifier::ConfigVerifierExt;
			Arc::new(ClientConfig::with_platform_verifier())
		})
		.clone()
}

/// An HTTP/1.1 GET over an open connection.
async fn get_over<S>(stream: S, uri: &Uri, max_bytes: usize) -> Result<Vec<u8>, FetchError>
where
	S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
	let unavailable = |e: hyper::Error| FetchError::Unavailable(format!("HTTP: {e}"));
	let (mut sender, connection) =
		hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(unavailable)?;
	let driver = tokio::spawn(connection);
	let authority = uri.authority().map(|a| a.as_str().to_string()).unwrap_or_default();
	let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
	let request = Request::get(path)
		.header(hyper::header::HOST, authority)
		.header(hyper::header::USER_AGENT, concat!("modelchain-worker/", env!("CARGO_PKG_VERSION")))
		.body(Empty::<Bytes>::new())
		.map_err(|e| FetchError::Unusable(format!("cannot build the request: {e}")))?;
	let response = sender.send_request(request).await.map_err(unavailable)?;
	let status = response.status();
	let result = if status.is_client_error() {
		Err(FetchError::Unusable(format!("the input server answered {status}")))
	} else if status != StatusCode::OK {
		Err(FetchError::Unavailable(format!("the input server answered {status}")))
	} else {
		read_body(response.into_body(), max_bytes).await
	};
	driver.abort();
	result
}

/// Reads a body, refusing it as soon as it passes `max_bytes`.
async fn read_body(
	mut body: hyper::body::Incoming,
	max_bytes: usize,
) -> Result<Vec<u8>, FetchError> {
	let mut bytes = Vec::new();
	while let Some(frame) = body.frame().await {
		let frame = frame.map_err(|e| FetchError::Unavailable(format!("reading the body: {e}")))?;
		if let Some(data) = frame.data_ref() {
			if bytes.len() + data.len() > max_bytes {
				return Err(FetchError::Unusable(format!("larger than {max_bytes} bytes")));
			}
			bytes.extend_from_slice(data);
		}
	}
	Ok(bytes)
}

#[cfg(test)]
mod tests {
	use super::*;
	use tokio::{io::AsyncWriteExt, net::TcpListener};

	const LIMITS: Limits = Limits { max_bytes: 64, timeout: Duration::from_millis(500) };

	/// Serves `response` (raw HTTP) once on a local port, or never answers if `None`.
	async fn serve_once(response: Option<Vec<u8>>) -> String {
		let listener = TcpListener::bind("127.0.0.1:0").await.expect("a local port");
		let address = listener.local_addr().expect("an address");
		tokio::spawn(async move {
			let (mut socket, _) = listener.accept().await.expect("a connection");
			let mut request = [0u8; 1024];
			let _ = tokio::io::AsyncReadExt::read(&mut socket, &mut request).await;
			match response {
				Some(response) => {
					let _ = socket.write_all(&response).await;
					let _ = socket.shutdown().await;
				}
				None => tokio::time::sleep(Duration::from_secs(5)).await,
			}
		});
		format!("http://{address}/input.bin")
	}

	fn ok(body: &[u8]) -> Vec<u8> {
		let mut response =
			format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n", body.len()).into_bytes();
		response.extend_from_slice(body);
		response
	}

	#[tokio::test]
	async fn an_input_with_the_right_hash_is_returned() {
		let body = [3u8; 64];
		let uri = serve_once(Some(ok(&body))).await;
		let hash = sp_crypto_hashing::blake2_256(&body);
		assert_eq!(fetch(&uri, &hash, LIMITS).await, Ok(body.to_vec()));
	}

	#[tokio::test]
	async fn a_wrong_hash_makes_the_input_unusable() {
		let uri = serve_once(Some(ok(&[3u8; 64]))).await;
		let result = fetch(&uri, &[0u8; 32], LIMITS).await;
		assert!(matches!(result, Err(FetchError::Unusable(ref why)) if why.contains("blake2")));
	}

	#[tokio::test]
	async fn a_body_over_the_limit_is_unusable_and_not_read_further() {
		let uri = serve_once(Some(ok(&[1u8; 65]))).await;
		let result = fetch(&uri, &[0u8; 32], LIMITS).await;
		assert!(matches!(result, Err(FetchError::Unusable(ref why)) if why.contains("larger")));
	}

	#[tokio::test]
	async fn a_silent_server_is_unavailable_after_the_timeout() {
		let uri = serve_once(None).await;
		let started = std::time::Instant::now();
		let result = fetch(&uri, &[0u8; 32], LIMITS).await;
		assert!(matches!(result, Err(FetchError::Unavailable(_))), "{result:?}");
		assert!(started.elapsed() < Duration::from_secs(2), "bounded by the timeout");
	}

	#[tokio::test]
	async fn not_found_is_unusable_and_a_server_error_is_unavailable() {
		let uri =
			serve_once(Some(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n".to_vec())).await;
		assert!(matches!(fetch(&uri, &[0u8; 32], LIMITS).await, Err(FetchError::Unusable(_))));
		let uri =
			serve_once(Some(b"HTTP/1.1 503 Busy\r\ncontent-length: 0\r\n\r\n".to_vec())).await;
		assert!(matches!(fetch(&uri, &[0u8; 32], LIMITS).await, Err(FetchError::Unavailable(_))));
	}

	#[tokio::test]
	async fn https_to_a_server_that_speaks_no_tls_is_unavailable() {
		let uri = serve_once(Some(ok(&[3u8; 8]))).await.replace("http://", "https://");
		let result = fetch(&uri, &[0u8; 32], LIMITS).await;
		assert!(
			matches!(result, Err(FetchError::Unavailable(ref why)) if why.contains("TLS")),
			"{result:?}"
		);
	}

	#[tokio::test]
	async fn other_schemes_and_refused_connections() {
		let unusable = fetch("ftp://example.invalid/x", &[0u8; 32], LIMITS).await;
		assert!(matches!(unusable, Err(FetchError::Unusable(_))));
		let listener = TcpListener::bind("127.0.0.1:0").await.expect("a local port");
		let address = listener.local_addr().expect("an address");
		drop(listener);
		let refused = fetch(&format!("http://{address}/x"), &[0u8; 32], LIMITS).await;
		assert!(matches!(refused, Err(FetchError::Unavailable(_))), "{refused:?}");
	}
}
