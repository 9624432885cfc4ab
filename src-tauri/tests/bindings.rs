//! Fails when `ui/src/api/bindings.ts` no longer matches the Rust commands and events.
//! Regenerate with `make bindings` (HERALD_WRITE_BINDINGS=1 cargo test --test bindings).

use std::path::Path;

#[test]
fn typescript_bindings_are_current() {
    let generated = herald_app::bindings::generate().expect("bindings generate");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(herald_app::bindings::BINDINGS_PATH);
    if std::env::var_os("HERALD_WRITE_BINDINGS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is out of date with the Rust commands; run `make bindings` and commit the result",
        path.display()
    );
    for command in ["listCampaigns", "setSetting", "appInfo"] {
        assert!(generated.contains(command), "the bindings lack {command}");
    }
}
