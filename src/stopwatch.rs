//! Wall time per step of `scan` and `seal`, printed with `--timings`: the benchmarks use it to
//! say where the time goes without a profiler.

/// Wall time per step of a command, for `--timings` and the benchmarks.
#[derive(Debug, Default, Clone)]
pub struct Timings {
    pub steps: Vec<(&'static str, std::time::Duration)>,
    last: Option<std::time::Instant>,
}

impl Timings {
    pub fn start() -> Timings {
        Timings {
            steps: Vec::new(),
            last: Some(std::time::Instant::now()),
        }
    }

    pub fn mark(&mut self, step: &'static str) {
        let now = std::time::Instant::now();
        if let Some(t) = self.last {
            self.steps.push((step, now - t));
        }
        self.last = Some(now);
    }
}

impl std::fmt::Display for Timings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (step, d) in &self.steps {
            writeln!(f, "  {:<34} {:>8.2} s", step, d.as_secs_f64())?;
        }
        Ok(())
    }
}
