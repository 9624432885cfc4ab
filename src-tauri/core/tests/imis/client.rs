use super::*;
use herald_core::imis::catalog::{self, HOSTILE_NAME};
use herald_core::imis::{Dialect, ImisError, QueryEntryKind, Value};
use herald_fake_imis::{Fault, FaultRule};
use std::collections::BTreeMap;
use std::sync::Arc;

fn no_params() -> BTreeMap<String, String> {
    BTreeMap::new()
}

fn col(r: &herald_core::imis::QueryResult, alias: &str) -> usize {
    r.columns
        .iter()
        .position(|c| c == alias)
        .unwrap_or_else(|| panic!("no column {alias} in {:?}", r.columns))
}

#[tokio::test]
async fn a_query_is_fetched_whole_in_order_with_typed_values() {
    // A little latency per answer, so that overlapping requests are visible.
    let fake = server(Options {
        latency: Duration::from_millis(20),
        ..Default::default()
    })
    .await;
    let client = client_for(&fake);
    let r = client
        .run_query(catalog::ALL_MEMBERS, &no_params())
        .await
        .unwrap();
    assert_eq!(r.rows.len(), 5_000);
    assert_eq!(client.dialect(), Some(Dialect::Query));
    // In order: the IDs are generated ascending.
    let id = col(&r, "ID");
    let ids: Vec<u64> = r
        .rows
        .iter()
        .map(|row| row[id].merge_text().parse().unwrap())
        .collect();
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "rows came back out of order"
    );
    assert_eq!(ids[0].to_string(), fake.catalog().members[0].id);
    // Typed values survive.
    assert!(matches!(r.rows[0][col(&r, "JoinDate")], Value::DateTime(_)));
    assert!(matches!(
        r.rows[0][col(&r, "EventsAttended")],
        Value::Integer(_)
    ));
    assert!(matches!(r.rows[0][col(&r, "IsActive")], Value::Bool(_)));
    assert!(r
        .rows
        .iter()
        .any(|row| row[col(&r, "DuesBalance")] == Value::Number(13280.0)));
    assert!(r
        .rows
        .iter()
        .any(|row| row[col(&r, "FirstName")] == Value::Text(HOSTILE_NAME.into())));
    // One login shared by every page; pages fetched concurrently, within the bound.
    assert_eq!(fake.logins(), 1);
    assert_eq!(fake.count_requests("/api/query"), 10);
    assert!(
        fake.max_in_flight() > 1,
        "pages after the first are fetched concurrently"
    );
    assert!(
        fake.max_in_flight() <= 6,
        "at most 6 at once: {}",
        fake.max_in_flight()
    );
}

#[tokio::test]
async fn sequential_paging_gives_the_same_rows() {
    let fake = standard().await;
    let concurrent = client_for(&fake)
        .run_query(catalog::ALL_MEMBERS, &no_params())
        .await
        .unwrap();
    let sequential = client_with(&fake, |c| c.page_concurrency = 1)
        .run_query(catalog::ALL_MEMBERS, &no_params())
        .await
        .unwrap();
    assert_eq!(concurrent, sequential);
}

#[tokio::test]
async fn named_parameters_filter_the_rows() {
    let fake = standard().await;
    let client = client_for(&fake);
    let mut p = BTreeMap::new();
    p.insert("MemberType".to_string(), "STU".to_string());
    let r = client
        .run_query(catalog::MEMBERS_BY_TYPE, &p)
        .await
        .unwrap();
    let t = col(&r, "MemberType");
    assert!(!r.rows.is_empty());
    assert!(r.rows.iter().all(|row| row[t] == Value::Text("STU".into())));
    assert!(r.rows.len() < 5_000);
}

#[tokio::test]
async fn an_old_imis_is_spoken_to_through_api_iqa_with_positional_parameters() {
    let fake = server(Options {
        legacy: true,
        ..Default::default()
    })
    .await;
    let client = client_for(&fake);
    let mut p = BTreeMap::new();
    p.insert("MemberType".to_string(), "RET".to_string());
    let r = client
        .run_query(catalog::MEMBERS_BY_TYPE, &p)
        .await
        .unwrap();
    assert_eq!(client.dialect(), Some(Dialect::Iqa));
    let t = col(&r, "MemberType");
    assert!(!r.rows.is_empty() && r.rows.iter().all(|row| row[t] == Value::Text("RET".into())));
    // GenericEntityData with typed values, absent values as Null.
    assert!(matches!(
        r.rows[0][col(&r, "EventsAttended")],
        Value::Integer(_)
    ));
    let mobile = col(&r, "Mobile");
    assert!(
        r.rows.iter().any(|row| row[mobile] == Value::Null),
        "blank phones are absent on iMIS 2017"
    );
    // The dialect is remembered: the next run goes straight to /api/iqa.
    let before = fake.count_requests("/api/query");
    client
        .run_query(catalog::ALL_MEMBERS, &no_params())
        .await
        .unwrap();
    assert_eq!(fake.count_requests("/api/query"), before);
    assert_eq!(before, 1, "only the first run tried /api/query");
}

#[tokio::test]
async fn an_unknown_query_is_named_in_the_error_on_both_dialects() {
    for legacy in [false, true] {
        let fake = server(Options {
            legacy,
            ..Default::default()
        })
        .await;
        let err = client_for(&fake)
            .run_query("$/Nope/Missing", &no_params())
            .await
            .unwrap_err();
        assert_eq!(err, ImisError::UnknownQuery("$/Nope/Missing".into()));
        assert!(err.to_string().contains("$/Nope/Missing"));
    }
}

#[tokio::test]
async fn a_wrong_password_is_said_plainly_and_not_retried() {
    let fake = standard().await;
    let mut cfg = ImisConfig::new(&fake.url(), "herald", Sensitive::new("wrong-pass-XYZ"));
    cfg.retry.base = Duration::from_millis(1);
    let client = ImisClient::new(cfg).unwrap();
    let err = client
        .run_query(catalog::ALL_MEMBERS, &no_params())
        .await
        .unwrap_err();
    assert_eq!(err, ImisError::WrongCredentials);
    assert!(err.to_string().contains("username or password"));
    assert!(!format!("{err} {err:?}").contains("wrong-pass-XYZ"));
    assert_eq!(fake.count_requests("/token"), 1);
}

#[tokio::test]
async fn a_token_that_expires_mid_paging_is_renewed_once() {
    let fake = standard().await;
    fake.add_fault(FaultRule::new("GET", "/api/query", Fault::ExpireToken).skip(3));
    let client = client_for(&fake);
    let r = client
        .run_query(catalog::ALL_MEMBERS, &no_params())
        .await
        .unwrap();
    assert_eq!(r.rows.len(), 5_000);
    assert_eq!(
        fake.logins(),
        2,
        "one re-login, shared by the pages in flight"
    );
}

#[tokio::test]
async fn concurrent_requests_with_a_dead_token_log_in_again_only_once() {
    let fake = standard().await;
    let client = Arc::new(client_for(&fake));
    client
        .run_query(catalog::LAPSED_MEMBERS, &no_params())
        .await
        .unwrap();
    assert_eq!(fake.logins(), 1);
    fake.expire_token();
    let runs: Vec<_> = (0..6)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.run_query(catalog::CONFERENCE, &BTreeMap::new()).await })
        })
        .collect();
    for r in runs {
        assert!(!r.await.unwrap().unwrap().rows.is_empty());
    }
    assert_eq!(fake.logins(), 2, "six requests, one re-login");
}

#[tokio::test]
async fn server_errors_rate_limits_and_garbage_are_retried_without_losing_rows() {
    let fake = standard().await;
    // Rules apply one after the other: the 3rd, 5th, 7th and 9th requests fail.
    fake.add_fault(FaultRule::new("GET", "/api/query", Fault::Status { status: 500 }).skip(2));
    fake.add_fault(FaultRule::new("GET", "/api/query", Fault::Status { status: 429 }).skip(1));
    fake.add_fault(FaultRule::new("GET", "/api/query", Fault::Status { status: 502 }).skip(1));
    fake.add_fault(FaultRule::new("GET", "/api/query", Fault::MalformedJson).skip(1));
    let r = client_for(&fake)
        .run_query(catalog::ALL_MEMBERS, &no_params())
        .await
        .unwrap();
    assert_eq!(r.rows.len(), 5_000);
    let id = col(&r, "ID");
    let unique: std::collections::HashSet<String> =
        r.rows.iter().map(|row| row[id].merge_text()).collect();
    assert_eq!(unique.len(), 5_000, "no page lost or duplicated");
    assert_eq!(fake.count_requests("/api/query"), 14);
}

#[tokio::test]
async fn a_server_that_stays_down_is_reported_after_bounded_retries() {
    let fake = standard().await;
    fake.add_fault(FaultRule::new("GET", "/api/query", Fault::Status { status: 503 }).times(100));
    let err = client_for(&fake)
        .run_query(catalog::ALL_MEMBERS, &no_params())
        .await
        .unwrap_err();
    assert_eq!(err, ImisError::ServerDown { status: 503 });
    assert_eq!(
        fake.count_requests("/api/query"),
        4,
        "four tries, then a clear error"
    );
    assert!(err.to_string().contains("having trouble"));
}

#[tokio::test]
async fn a_slow_page_times_out_and_is_retried() {
    let fake = standard().await;
    fake.add_fault(FaultRule::new("GET", "/api/query", Fault::Delay { millis: 6_000 }).skip(1));
    let client = client_with(&fake, |c| c.timeout = Duration::from_millis(2_000));
    let r = client
        .run_query(catalog::ALL_MEMBERS, &no_params())
        .await
        .unwrap();
    assert_eq!(r.rows.len(), 5_000);
}

#[tokio::test]
async fn an_unreachable_server_is_named() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut cfg = ImisConfig::new(
        &format!("http://127.0.0.1:{port}"),
        "u",
        Sensitive::new("p"),
    );
    cfg.retry.base = Duration::from_millis(1);
    let err = ImisClient::new(cfg)
        .unwrap()
        .list_folder("$")
        .await
        .unwrap_err();
    match &err {
        ImisError::Unreachable { host, reason } => {
            assert_eq!(host, "127.0.0.1");
            assert!(reason.contains("refused"), "{reason}");
        }
        other => panic!("expected Unreachable, got {other:?}"),
    }
}

#[tokio::test]
async fn folders_queries_columns_and_prompts_are_browsed_without_running_anything() {
    let fake = standard().await;
    let client = client_for(&fake);
    let root = client.list_folder("$").await.unwrap();
    assert_eq!(root.len(), 1);
    assert_eq!(root[0].kind, QueryEntryKind::Folder);
    let inside = client.list_folder(&root[0].path).await.unwrap();
    assert_eq!(inside[0].kind, QueryEntryKind::Folder, "folders first");
    assert!(inside
        .iter()
        .any(|e| e.path == catalog::MEMBERS_BY_TYPE && e.kind == QueryEntryKind::Query));
    let def = client
        .query_definition(catalog::MEMBERS_BY_TYPE)
        .await
        .unwrap();
    assert_eq!(def.columns[0].alias, "ID");
    assert!(def
        .columns
        .iter()
        .any(|c| c.alias == "Mobile" && c.caption == "Mobile Phone"));
    assert_eq!(def.parameters.len(), 1);
    assert_eq!(def.parameters[0].name, "MemberType");
    assert_eq!(def.parameters[0].prompt, "Member type");
    assert!(def.parameters[0].values.contains(&"STU".to_string()));
    assert_eq!(
        fake.count_requests("/api/query") + fake.count_requests("/api/iqa"),
        0
    );
    assert_eq!(
        client.list_folder("$/Nowhere").await.unwrap_err(),
        ImisError::UnknownFolder("$/Nowhere".into())
    );
    assert_eq!(
        client.query_definition("$/Nowhere/Q").await.unwrap_err(),
        ImisError::UnknownQuery("$/Nowhere/Q".into())
    );
    assert_eq!(client.check().await.unwrap(), 1);
}

#[tokio::test]
async fn the_textmsg_activity_type_is_checked() {
    let fake = standard().await;
    let client = client_for(&fake);
    assert!(client.activity_type_exists("TEXTMSG").await.unwrap());
    fake.set_textmsg(false);
    assert!(!client.activity_type_exists("TEXTMSG").await.unwrap());
}
