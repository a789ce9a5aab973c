//! The console while the scenarios run: one redacted stdout that the cucumber writer prints to,
//! and the signs of life of a long run. On a terminal (and not under `CI`) a progress line at the
//! bottom, redrawn every half second: scenarios done of total, failures so far, the time, and the
//! scenario the run has waited on longest. Elsewhere plain lines only: after 30 s without output,
//! one line saying the same, so a run against a slow store never looks hung.

use std::io::{self, IsTerminal as _, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::secrets::{RedactingWriter, Redactor};

/// How often the ticker looks at the run.
const TICK: Duration = Duration::from_millis(500);
/// How long a plain console stays silent before it says the run is still going.
const QUIET: Duration = Duration::from_secs(30);
/// A scenario running longer than this is named on the progress line.
const SLOW_SCENARIO: Duration = Duration::from_secs(2);
/// The progress line is cut here, so that it never wraps (a wrapped line cannot be redrawn).
const PROGRESS_WIDTH: usize = 100;

/// Whether the console may redraw a line in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// A terminal, not under CI: a redrawn progress line.
    Terminal,
    /// CI or a pipe: plain lines only.
    Plain,
}

impl Mode {
    /// A terminal unless `CI` is set (to anything but `false` or `0`) or stdout is not a terminal.
    pub(super) fn detect() -> Self {
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
        if !ci && io::stdout().is_terminal() {
            Mode::Terminal
        } else {
            Mode::Plain
        }
    }
}

/// How far the run is, as the scenario hooks tell it (in real time, unlike the report writers,
/// which see events in feature order).
#[derive(Debug)]
pub(super) struct Progress {
    started: Instant,
    /// Selected so far: the filter counts scenarios as the feature files are read.
    total: Arc<AtomicUsize>,
    done: AtomicUsize,
    failed: AtomicUsize,
    running: Mutex<Vec<(String, Instant)>>,
}

impl Progress {
    pub(super) fn new(total: Arc<AtomicUsize>) -> Self {
        Self {
            started: Instant::now(),
            total,
            done: AtomicUsize::new(0),
            failed: AtomicUsize::new(0),
            running: Mutex::default(),
        }
    }

    pub(super) fn started(&self, scenario: &str) {
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((scenario.to_owned(), Instant::now()));
    }

    pub(super) fn finished(&self, scenario: &str, failed: bool) {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = running.iter().position(|(name, _)| name == scenario) {
            running.remove(i);
        }
        self.done.fetch_add(1, Ordering::Relaxed);
        if failed {
            self.failed.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// `12/97 scenarios, 1 failed, 42 s; waiting on "…" for 31 s`.
    fn line(&self, now: Instant) -> String {
        let mut line = format!(
            "{}/{} scenarios, {} failed, {} s",
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
            self.failed.load(Ordering::Relaxed),
            now.duration_since(self.started).as_secs()
        );
        let running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((name, since)) = running.iter().min_by_key(|(_, since)| *since) {
            let waited = now.duration_since(*since);
            if waited >= SLOW_SCENARIO {
                line.push_str(&format!("; waiting on \"{name}\" for {} s", waited.as_secs()));
            }
        }
        line
    }
}

/// The run's stdout while scenarios run, shared by the cucumber writer and the ticker.
pub(super) struct Console {
    mode: Mode,
    progress: Arc<Progress>,
    /// How long a plain console stays silent before it says the run is still going.
    quiet: Duration,
    state: Mutex<State>,
}

struct State {
    out: RedactingWriter<Box<dyn Write + Send>>,
    /// A progress line is on screen, without its newline.
    drawn: bool,
    last_output: Instant,
}

impl Console {
    pub(super) fn new(mode: Mode, redactor: &Redactor, progress: Arc<Progress>) -> Arc<Self> {
        Self::onto(Box::new(io::stdout()), mode, redactor, progress, QUIET)
    }

    fn onto(
        out: Box<dyn Write + Send>,
        mode: Mode,
        redactor: &Redactor,
        progress: Arc<Progress>,
        quiet: Duration,
    ) -> Arc<Self> {
        Arc::new(Self {
            mode,
            progress,
            quiet,
            state: Mutex::new(State {
                out: redactor.writer(out),
                drawn: false,
                last_output: Instant::now(),
            }),
        })
    }

    pub(super) fn progress(&self) -> &Progress {
        &self.progress
    }

    /// Writes `bytes` above the progress line, which is redrawn after a complete line.
    fn write_through(&self, bytes: &[u8]) -> io::Result<()> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.drawn {
            state.out.write_all(b"\r\x1b[2K")?;
            state.out.flush()?;
            state.drawn = false;
        }
        state.out.write_all(bytes)?;
        state.last_output = Instant::now();
        if self.mode == Mode::Terminal && bytes.ends_with(b"\n") {
            self.draw(&mut state)?;
        }
        Ok(())
    }

    fn draw(&self, state: &mut State) -> io::Result<()> {
        let line: String = self
            .progress
            .line(Instant::now())
            .chars()
            .take(PROGRESS_WIDTH)
            .collect();
        state.out.write_all(format!("\r\x1b[2K{line}").as_bytes())?;
        state.out.flush()?;
        state.drawn = true;
        Ok(())
    }

    /// Called every [`TICK`]: redraws the progress line, or on a plain console that has been
    /// quiet for [`QUIET`], prints it as a line of its own.
    fn tick(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let _ = match self.mode {
            Mode::Terminal => self.draw(&mut state),
            Mode::Plain if state.last_output.elapsed() >= self.quiet => {
                state.last_output = Instant::now();
                let line = format!("still running: {}\n", self.progress.line(Instant::now()));
                state.out.write_all(line.as_bytes()).and_then(|()| state.out.flush())
            }
            Mode::Plain => Ok(()),
        };
    }

    /// Redraws until the returned handle is aborted (see [`Console::finish`]).
    pub(super) fn spawn_ticker(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let console = Arc::clone(self);
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(TICK);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                console.tick();
            }
        })
    }

    /// Stops the ticker and clears the progress line, leaving the console as plain output.
    pub(super) fn finish(&self, ticker: tokio::task::JoinHandle<()>) {
        ticker.abort();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.drawn {
            let _ = state.out.write_all(b"\r\x1b[2K");
            state.drawn = false;
        }
        let _ = state.out.flush();
    }

    /// An `io::Write` onto this console, for cucumber's own writer (`-v`).
    pub(super) fn writer(self: &Arc<Self>) -> ConsoleWriter {
        ConsoleWriter(Arc::clone(self))
    }
}

/// [`Console`] as an `io::Write`.
#[derive(Clone)]
pub(super) struct ConsoleWriter(Arc<Console>);

impl Write for ConsoleWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write_through(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.state.lock().unwrap_or_else(|e| e.into_inner()).out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Shared {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    fn console(mode: Mode, quiet: Duration) -> (Arc<Console>, Shared) {
        let out = Shared::default();
        let redactor = Redactor::new();
        let progress = Arc::new(Progress::new(Arc::new(AtomicUsize::new(3))));
        progress.started("a scenario");
        (
            Console::onto(Box::new(out.clone()), mode, &redactor, progress, quiet),
            out,
        )
    }

    /// On a terminal every tick redraws the line in place, a printed line goes above it, and
    /// the ticker keeps redrawing until the run finishes, which clears the line.
    #[tokio::test]
    async fn a_terminal_redraws_the_progress_line_under_the_output() {
        let (console, out) = console(Mode::Terminal, QUIET);
        console.tick();
        console
            .writer()
            .write_all("  ✔ a scenario (1 ms)\n".as_bytes())
            .unwrap();
        let redraw = "\r\x1b[2K0/3 scenarios, 0 failed, 0 s";
        assert_eq!(out.text(), format!("{redraw}\r\x1b[2K  ✔ a scenario (1 ms)\n{redraw}"));
        let ticker = console.spawn_ticker();
        tokio::time::sleep(Duration::from_millis(700)).await;
        console.finish(ticker);
        let text = out.text();
        assert!(text.matches(redraw).count() >= 4, "the ticker redraws: {text:?}");
        assert!(text.ends_with("\r\x1b[2K"), "the line is cleared at the end: {text:?}");
        let after = text.len();
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(out.text().len(), after, "nothing is drawn after the finish");
    }

    /// A plain console never redraws; after a quiet spell it prints one plain line.
    #[test]
    fn a_plain_console_says_it_is_still_running_after_a_quiet_spell() {
        let (console, out) = console(Mode::Plain, QUIET);
        console.tick();
        assert_eq!(out.text(), "", "nothing while the run is not quiet");
        let (console, out) = console_after_quiet();
        console.tick();
        console.tick();
        let text = out.text();
        assert_eq!(text.lines().count(), 1, "{text:?}");
        assert!(text.starts_with("still running: 0/3 scenarios, 0 failed, "), "{text:?}");
        assert!(!text.contains('\r'), "{text:?}");
    }

    fn console_after_quiet() -> (Arc<Console>, Shared) {
        let (console, out) = console(Mode::Plain, Duration::from_millis(20));
        std::thread::sleep(Duration::from_millis(30));
        (console, out)
    }

    #[test]
    fn the_progress_line_counts_and_names_the_slowest_scenario() {
        let progress = Progress::new(Arc::new(AtomicUsize::new(5)));
        progress.started("a quick one");
        progress.started("a slow one");
        progress.finished("a quick one", true);
        let now = Instant::now();
        assert_eq!(
            progress.line(now).split(';').next(),
            Some("1/5 scenarios, 1 failed, 0 s")
        );
        let later = now + Duration::from_secs(40);
        let line = progress.line(later);
        assert!(line.starts_with("1/5 scenarios, 1 failed, 40 s"), "{line}");
        assert!(line.ends_with("waiting on \"a slow one\" for 40 s"), "{line}");
        progress.finished("a slow one", false);
        assert_eq!(progress.line(later), "2/5 scenarios, 1 failed, 40 s");
    }
}
