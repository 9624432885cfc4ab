//! How the process's memory allocator is set up where the platform's default costs memory.

/// On Linux with glibc: at most two malloc arenas in this process, instead of eight per
/// core. Each thread that allocates (Tokio's workers, the preparation's threads, SQLite's
/// connections, WebKit's in the app) otherwise keeps what it freed in an arena of its own:
/// recording 100,000 messages peaked at 111 MB with the default and 78 MB with two
/// (`cargo bench -p herald_core --bench campaign`). A limit the person already gave, as
/// `MALLOC_ARENA_MAX` or `GLIBC_TUNABLES=glibc.malloc.arena_max=…`, is kept (glibc read it
/// when the process started). Elsewhere, nothing.
///
/// Call it first thing in `main`, before any other thread starts. True when it set the limit
/// (the app then passes it on to WebKit's processes as `MALLOC_ARENA_MAX=2`).
pub fn limit_malloc_arenas() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let tuned = std::env::var_os("MALLOC_ARENA_MAX").is_some()
            || std::env::var("GLIBC_TUNABLES").is_ok_and(|t| t.contains("arena_max"));
        if !tuned {
            // SAFETY: mallopt only changes a malloc parameter; called before other threads
            // start, no allocation is in progress elsewhere.
            unsafe {
                libc::mallopt(libc::M_ARENA_MAX, 2);
            }
        }
        !tuned
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    false
}
