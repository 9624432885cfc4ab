//! How the process's memory allocator is set up where the platform's default costs memory.

/// Most malloc arenas a Herald process keeps (glibc's default is eight per core).
pub const ARENAS: i32 = 2;

/// Allocations of this many bytes or more get pages of their own, given back when freed.
/// glibc's default starts at the same 128 KiB but raises itself to the size of each large
/// block freed, after which blocks of up to 32 MiB come from the heap and stay there.
pub const MMAP_THRESHOLD: i32 = 128 * 1024;

/// What [`tune_malloc`] set in this process: each only where the person had set nothing.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct MallocTuning {
    pub arenas: bool,
    pub mmap_threshold: bool,
}

impl MallocTuning {
    /// The same settings for a process started from this one, as glibc reads them from the
    /// environment (the app gives them to WebKit's processes).
    pub fn environment(self) -> Vec<(&'static str, String)> {
        let mut vars = Vec::new();
        if self.arenas {
            vars.push(("MALLOC_ARENA_MAX", ARENAS.to_string()));
        }
        if self.mmap_threshold {
            vars.push(("MALLOC_MMAP_THRESHOLD_", MMAP_THRESHOLD.to_string()));
        }
        vars
    }
}

/// On Linux with glibc:
/// - at most [`ARENAS`] malloc arenas, instead of eight per core. Each thread that
///   allocates (Tokio's workers, the preparation's threads, SQLite's connections, WebKit's
///   in the app) otherwise keeps what it freed in an arena of its own: recording 100,000
///   messages peaked at 111 MB with the default and 78 MB with two (`cargo bench -p
///   herald_core --bench campaign`);
/// - a fixed [`MMAP_THRESHOLD`]: buffers of 128 KiB and more (pages of rows, WebKit's
///   painted tiles) go back to the system when freed instead of staying in the heap. The
///   250,000-message dashboard's peak went from 531 to 496 MiB PSS with it (`make
///   bench-dashboard`), its frames unchanged.
///
/// A value the person already gave, as `MALLOC_ARENA_MAX` / `MALLOC_MMAP_THRESHOLD_` or in
/// `GLIBC_TUNABLES`, is kept (glibc read it when the process started). Elsewhere, nothing.
///
/// Call it first thing in `main`, before any other thread starts.
pub fn tune_malloc() -> MallocTuning {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let tunables = std::env::var("GLIBC_TUNABLES").ok();
        let given = |var: &str, tunable: &str| {
            given_by_person(
                std::env::var_os(var).is_some(),
                tunables.as_deref(),
                tunable,
            )
        };
        let tuning = MallocTuning {
            arenas: !given("MALLOC_ARENA_MAX", "arena_max"),
            mmap_threshold: !given("MALLOC_MMAP_THRESHOLD_", "mmap_threshold"),
        };
        // SAFETY: mallopt only changes a malloc parameter; called before other threads
        // start, no allocation is in progress elsewhere.
        unsafe {
            if tuning.arenas {
                libc::mallopt(libc::M_ARENA_MAX, ARENAS);
            }
            if tuning.mmap_threshold {
                libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
            }
        }
        tuning
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    MallocTuning::default()
}

/// Whether the person set a malloc parameter: by its variable, or as `glibc.malloc.<tunable>`
/// in `GLIBC_TUNABLES` (a colon-separated list of `name=value`).
#[cfg_attr(not(all(target_os = "linux", target_env = "gnu")), allow(dead_code))]
fn given_by_person(variable_set: bool, tunables: Option<&str>, tunable: &str) -> bool {
    variable_set
        || tunables.is_some_and(|list| {
            list.split(':')
                .filter_map(|entry| entry.split_once('='))
                .any(|(name, _)| name.trim().strip_prefix("glibc.malloc.") == Some(tunable))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parameter_the_person_set_is_kept_however_they_set_it() {
        assert!(!given_by_person(false, None, "arena_max"));
        assert!(given_by_person(true, None, "arena_max"));
        let tunables = Some("glibc.malloc.arena_max=4:glibc.malloc.tcache_count=0");
        assert!(given_by_person(false, tunables, "arena_max"));
        assert!(!given_by_person(false, tunables, "mmap_threshold"));
        // A tunable of another namespace, or one only mentioned in a value, is not it.
        assert!(!given_by_person(
            false,
            Some("glibc.pthread.arena_max=1"),
            "arena_max"
        ));
        assert!(!given_by_person(
            false,
            Some("glibc.malloc.tcache_count=arena_max"),
            "arena_max"
        ));
        assert!(given_by_person(
            false,
            Some("glibc.malloc.mmap_threshold=65536"),
            "mmap_threshold"
        ));
    }

    #[test]
    fn child_processes_are_given_only_what_was_set_here() {
        assert!(MallocTuning::default().environment().is_empty());
        let both = MallocTuning {
            arenas: true,
            mmap_threshold: true,
        };
        assert_eq!(
            both.environment(),
            vec![
                ("MALLOC_ARENA_MAX", "2".to_string()),
                ("MALLOC_MMAP_THRESHOLD_", "131072".to_string())
            ]
        );
        let threshold = MallocTuning {
            arenas: false,
            mmap_threshold: true,
        };
        assert_eq!(
            threshold.environment(),
            vec![("MALLOC_MMAP_THRESHOLD_", "131072".to_string())]
        );
    }
}
