//! Just enough HTTP/1.1 for a browser on the same machine: GET and HEAD,
//! one request per connection, whole responses or an event stream. The
//! server listens on 127.0.0.1 only and serves from memory, never from
//! paths a request names.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// The most a request's head may take: anything longer is not a browser
/// asking for a page.
const MAX_HEAD: u64 = 16 * 1024;
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A request's method and decoded path, with the query apart.
#[derive(Debug, PartialEq, Eq)]
pub struct Request {
    pub head_only: bool,
    pub path: String,
    pub query: String,
}

impl Request {
    /// The value of `name` in the query (`?since=3`).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }
}

/// A whole response.
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Response {
    pub fn ok(content_type: &'static str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status: 200,
            content_type,
            body: body.into(),
        }
    }

    pub fn not_found(what: &str) -> Response {
        Response {
            status: 404,
            content_type: "text/plain; charset=utf-8",
            body: format!("not found: {what}\n").into_bytes(),
        }
    }
}

/// Reads the request line and headers. `Err` carries the response for a
/// request this server does not take.
pub fn read_request(stream: &TcpStream) -> Result<Request, Response> {
    let bad = |status: u16, why: &str| Response {
        status,
        content_type: "text/plain; charset=utf-8",
        body: format!("{why}\n").into_bytes(),
    };
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let mut reader = BufReader::new(stream.take(MAX_HEAD));
    let mut first = String::new();
    reader
        .read_line(&mut first)
        .map_err(|_| bad(400, "unreadable request"))?;
    // The headers are read to the blank line only so that the client is
    // not cut off mid-request; none of them changes the answer.
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) => return Err(bad(400, "request head too long or cut off")),
            Ok(_) if line.trim_end().is_empty() => break,
            Ok(_) => {}
            Err(_) => return Err(bad(400, "unreadable request")),
        }
    }
    parse_request_line(&first).ok_or_else(|| bad(405, "only GET and HEAD are served"))
}

fn parse_request_line(line: &str) -> Option<Request> {
    let mut parts = line.split_whitespace();
    let method = parts.next()?;
    let target = parts.next()?;
    let head_only = match method {
        "GET" => false,
        "HEAD" => true,
        _ => return None,
    };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    Some(Request {
        head_only,
        path: crate::source::html_img::percent_decode(path),
        query: query.to_string(),
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Error",
    }
}

/// Sends `response` and closes the exchange. Nothing is cached: every
/// build may change every file.
pub fn send(mut stream: &TcpStream, response: &Response, head_only: bool) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        response.status,
        reason(response.status),
        response.content_type,
        response.body.len()
    );
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(&response.body)?;
    }
    stream.flush()
}

/// Starts a Server-Sent Events stream; events follow with [`send_event`].
pub fn start_events(mut stream: &TcpStream) -> std::io::Result<()> {
    stream.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\
          Cache-Control: no-store\r\nConnection: close\r\n\r\n",
    )?;
    stream.flush()
}

/// One event: `name` and its data, one `data:` line per line of text.
pub fn send_event(mut stream: &TcpStream, name: &str, data: &str) -> std::io::Result<()> {
    let mut event = format!("event: {name}\n");
    for line in data.lines() {
        event.push_str("data: ");
        event.push_str(line);
        event.push('\n');
    }
    if data.is_empty() {
        event.push_str("data:\n");
    }
    event.push('\n');
    stream.write_all(event.as_bytes())?;
    stream.flush()
}

/// A comment line, which browsers ignore: it finds out whether the page
/// is still there to listen.
pub fn keep_alive(mut stream: &TcpStream) -> std::io::Result<()> {
    stream.write_all(b":\n\n")?;
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_lines() {
        assert_eq!(
            parse_request_line("GET /book/OEBPS/%E4%B8%AD.xhtml?since=3 HTTP/1.1\r\n"),
            Some(Request {
                head_only: false,
                path: "/book/OEBPS/中.xhtml".into(),
                query: "since=3".into(),
            })
        );
        let r = parse_request_line("HEAD /x%zz%4 HTTP/1.1").unwrap();
        assert!(r.head_only);
        assert_eq!(r.path, "/x%zz%4");
        assert_eq!(parse_request_line("POST / HTTP/1.1"), None);
        assert_eq!(parse_request_line(""), None);
        let r = parse_request_line("GET /_booklet/events?a=1&since=12 HTTP/1.1").unwrap();
        assert_eq!(r.param("since"), Some("12"));
        assert_eq!(r.param("b"), None);
    }
}
