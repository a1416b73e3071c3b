//! Wall time per step of `scan` and `seal`, printed with `--timings`: the benchmarks use it to
//! say where the time goes without a profiler, and which step sets the peak memory.

use std::time::{Duration, Instant};

/// One step: how long it took, and the process's peak resident memory when it ended (Linux;
/// `None` elsewhere), so a step that raises the peak shows itself.
#[derive(Debug, Clone)]
pub struct Step {
    pub name: &'static str,
    pub wall: Duration,
    pub peak_rss_kb: Option<u64>,
}

/// Wall time per step of a command, for `--timings` and the benchmarks.
#[derive(Debug, Default, Clone)]
pub struct Timings {
    pub steps: Vec<Step>,
    last: Option<Instant>,
}

impl Timings {
    pub fn start() -> Timings {
        Timings {
            steps: Vec::new(),
            last: Some(Instant::now()),
        }
    }

    pub fn mark(&mut self, name: &'static str) {
        let now = Instant::now();
        if let Some(t) = self.last {
            self.steps.push(Step {
                name,
                wall: now - t,
                peak_rss_kb: peak_rss_kb(),
            });
        }
        self.last = Some(now);
    }
}

/// The kernel's high-water mark of this process's resident memory (`VmHWM`).
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

impl std::fmt::Display for Timings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for s in &self.steps {
            write!(f, "  {:<34} {:>8.2} s", s.name, s.wall.as_secs_f64())?;
            match s.peak_rss_kb {
                Some(kb) => writeln!(f, "   peak RSS so far {:>6} MB", kb / 1024)?,
                None => writeln!(f)?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_listed_in_order_with_their_peak_memory() {
        let mut t = Timings::start();
        t.mark("first");
        // Touched, so resident: the high-water mark cannot be below it afterwards.
        let big = vec![1u8; 32 << 20];
        std::hint::black_box(&big);
        t.mark("second");
        let shown = t.to_string();
        let names: Vec<&str> = t.steps.iter().map(|s| s.name).collect();
        assert_eq!(names, ["first", "second"]);
        assert!(shown.find("first") < shown.find("second"), "{shown}");
        if cfg!(target_os = "linux") {
            // Tests share the process, so only what holds whatever else runs is asserted:
            // the mark never falls and covers the 32 MB just touched.
            let (a, b) = (
                t.steps[0].peak_rss_kb.unwrap(),
                t.steps[1].peak_rss_kb.unwrap(),
            );
            assert!(b >= a && b >= 32 * 1024, "{a} KB then {b} KB");
            assert!(
                shown.contains(&format!("peak RSS so far {:>6} MB", b / 1024)),
                "{shown}"
            );
        } else {
            assert!(!shown.contains("peak RSS"), "{shown}");
        }
    }
}
