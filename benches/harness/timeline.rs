//! A loopback TCP proxy that timestamps every request head going to the reference server and
//! every response head coming back, to see how many requests a run keeps in flight over time.
//! Used only to explain a missed critical-path target.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Event {
    Request,
    Response,
}

pub struct Proxy {
    pub addr: SocketAddr,
    events: Arc<Mutex<Vec<(Instant, Event)>>>,
    task: tokio::task::JoinHandle<()>,
}

const METHODS: [&[u8]; 6] = [b"GET ", b"POST ", b"PUT ", b"DELETE ", b"PATCH ", b"OPTIONS "];

impl Proxy {
    pub async fn start(upstream: SocketAddr) -> std::io::Result<Proxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let events: Arc<Mutex<Vec<(Instant, Event)>>> = Arc::default();
        let recorded = Arc::clone(&events);
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(upstream).await else {
                    continue;
                };
                let (client_read, client_write) = client.into_split();
                let (server_read, server_write) = server.into_split();
                tokio::spawn(pump(client_read, server_write, Arc::clone(&recorded), Event::Request));
                tokio::spawn(pump(server_read, client_write, Arc::clone(&recorded), Event::Response));
            }
        });
        Ok(Proxy { addr, events, task })
    }

    /// Stops the proxy and summarises what it saw between `start` and `end`.
    pub fn finish(self, start: Instant, end: Instant) -> Summary {
        self.task.abort();
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner()).clone();
        events.sort_by_key(|(at, _)| *at);
        Summary::new(&events, start, end)
    }
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    events: Arc<Mutex<Vec<(Instant, Event)>>>,
    kind: Event,
) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let chunk = &buf[..n];
        let head = match kind {
            Event::Request => METHODS.iter().any(|m| chunk.starts_with(m)),
            Event::Response => chunk.starts_with(b"HTTP/1."),
        };
        if head {
            events
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((Instant::now(), kind));
        }
        if to.write_all(chunk).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}

/// Requests in flight over a run.
pub struct Summary {
    pub requests: usize,
    /// Time with exactly k requests in flight, for k = 0, 1, 2..=4, 5..=15, 16 and more.
    pub by_level: [Duration; 5],
    /// Per 100 ms of the run: the most requests in flight at once.
    pub buckets: Vec<usize>,
    /// From process start to the first request head.
    pub before_first: Duration,
    /// From the last response head to the exit.
    pub after_last: Duration,
}

impl Summary {
    fn new(events: &[(Instant, Event)], start: Instant, end: Instant) -> Summary {
        let apply = |in_flight: usize, event: Event| match event {
            Event::Request => in_flight + 1,
            Event::Response => in_flight.saturating_sub(1),
        };
        let level = |k: usize| match k {
            0 => 0,
            1 => 1,
            2..=4 => 2,
            5..=15 => 3,
            _ => 4,
        };
        let mut by_level = [Duration::ZERO; 5];
        let (mut in_flight, mut since) = (0usize, start);
        for &(at, event) in events {
            by_level[level(in_flight)] += at.saturating_duration_since(since);
            in_flight = apply(in_flight, event);
            since = at;
        }
        by_level[level(in_flight)] += end.saturating_duration_since(since);

        let mut buckets = Vec::new();
        let (mut next, mut in_flight) = (0, 0usize);
        let mut bucket_end = start;
        while bucket_end < end {
            bucket_end += Duration::from_millis(100);
            let mut peak = in_flight;
            while next < events.len() && events[next].0 < bucket_end {
                in_flight = apply(in_flight, events[next].1);
                peak = peak.max(in_flight);
                next += 1;
            }
            buckets.push(peak);
        }
        Summary {
            requests: events.iter().filter(|(_, e)| *e == Event::Request).count(),
            by_level,
            buckets,
            before_first: events
                .first()
                .map_or(Duration::ZERO, |(at, _)| at.saturating_duration_since(start)),
            after_last: events
                .last()
                .map_or(Duration::ZERO, |(at, _)| end.saturating_duration_since(*at)),
        }
    }
}
