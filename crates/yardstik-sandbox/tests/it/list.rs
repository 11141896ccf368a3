//! Pagination math, every `query[field_predicate]` of the reference's table, ordering.

use crate::common::*;
use axum::http::StatusCode;
use serde_json::{json, Value};

async fn five(sb: &Sb) {
    let people = [
        ("Ann", Some("M"), "Alpha", false),
        ("Bob", Some("N"), "Bravo", false),
        ("Cid", None, "Charlie", false),
        ("Dee", None, "Delta", false),
        ("Eve", None, "Echo", true),
    ];
    for (f, m, l, nm) in people {
        let r = sb
            .post(
                "/candidates",
                KEY_A,
                json!({"first_name": f, "middle_name": m, "last_name": l, "no_middle_name": nm, "email": format!("{}@example.com", f.to_lowercase())}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
}

async fn names(sb: &Sb, query: &str) -> Vec<String> {
    let r = sb.get(&format!("/candidates?{query}"), KEY_A).await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.text);
    r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["last_name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn pagination_math_follows_the_seed() {
    let sb = start().await;
    for n in 0..137 {
        sb.post("/candidates", KEY_A, json!({"first_name": "P", "last_name": format!("N{n:03}"), "email": format!("p{n}@example.com")}))
            .await;
    }
    // the reference's own example: page=2&per_page=25 of 137 → 6 pages
    let r = sb.get("/candidates?page=2&per_page=25", KEY_A).await;
    assert_eq!(r.body["object"], "list");
    assert_eq!(
        r.body["meta"],
        json!({"page": 2, "per_page": 25, "total_count": 137, "total_pages": 6})
    );
    let d = r.body["data"].as_array().unwrap();
    assert_eq!(d.len(), 25);
    assert_eq!(d[0]["last_name"], "N025");
    // last page is partial
    let r = sb.get("/candidates?page=6&per_page=25", KEY_A).await;
    assert_eq!(r.body["data"].as_array().unwrap().len(), 12);
    // beyond the last page: empty data, meta still right
    let r = sb.get("/candidates?page=7&per_page=25", KEY_A).await;
    assert_eq!(r.body["data"], json!([]));
    assert_eq!(r.body["meta"]["total_count"], 137);
    // defaults: page 1, per_page 50
    let r = sb.get("/candidates", KEY_A).await;
    assert_eq!(
        r.body["meta"],
        json!({"page": 1, "per_page": 50, "total_count": 137, "total_pages": 3})
    );
    assert_eq!(r.body["data"].as_array().unwrap().len(), 50);
    // invalid types fall back to the defaults
    let r = sb.get("/candidates?page=abc&per_page=xyz", KEY_A).await;
    assert_eq!(r.body["meta"]["page"], 1);
    assert_eq!(r.body["meta"]["per_page"], 50);
    let r = sb.get("/candidates?page=-1&per_page=0", KEY_A).await;
    assert_eq!(
        (
            r.body["meta"]["page"].clone(),
            r.body["meta"]["per_page"].clone()
        ),
        (json!(1), json!(50))
    );
    // maximum 200
    let r = sb.get("/candidates?per_page=500", KEY_A).await;
    assert_eq!(r.body["meta"]["per_page"], 200);
    assert_eq!(r.body["meta"]["total_pages"], 1);
    assert_eq!(r.body["data"].as_array().unwrap().len(), 137);
    // minimum 1
    let r = sb.get("/candidates?per_page=1&page=137", KEY_A).await;
    assert_eq!(r.body["meta"]["total_pages"], 137);
    assert_eq!(r.body["data"][0]["last_name"], "N136");
}

#[tokio::test]
async fn every_predicate() {
    let sb = start().await;
    five(&sb).await;
    let all = ["Alpha", "Bravo", "Charlie", "Delta", "Echo"];
    let pick = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        names(&sb, "query[last_name_eq]=Bravo").await,
        pick(&["Bravo"])
    );
    assert_eq!(
        names(&sb, "query[last_name_not_eq]=Bravo").await,
        pick(&["Alpha", "Charlie", "Delta", "Echo"])
    );
    assert_eq!(
        names(&sb, "query[last_name_lt]=Charlie").await,
        pick(&["Alpha", "Bravo"])
    );
    assert_eq!(
        names(&sb, "query[last_name_lteq]=Charlie").await,
        pick(&["Alpha", "Bravo", "Charlie"])
    );
    assert_eq!(
        names(&sb, "query[last_name_gt]=Charlie").await,
        pick(&["Delta", "Echo"])
    );
    assert_eq!(
        names(&sb, "query[last_name_gteq]=Charlie").await,
        pick(&["Charlie", "Delta", "Echo"])
    );
    assert_eq!(
        names(&sb, "query[middle_name_null]=true").await,
        pick(&["Charlie", "Delta", "Echo"])
    );
    assert_eq!(
        names(&sb, "query[middle_name_not_null]=true").await,
        pick(&["Alpha", "Bravo"])
    );
    assert_eq!(
        names(
            &sb,
            "query[last_name_in][]=Alpha&query[last_name_in][]=Echo"
        )
        .await,
        pick(&["Alpha", "Echo"])
    );
    assert_eq!(
        names(
            &sb,
            "query[last_name_not_in][]=Alpha&query[last_name_not_in][]=Echo"
        )
        .await,
        pick(&["Bravo", "Charlie", "Delta"])
    );
    assert_eq!(
        names(&sb, "query[last_name_start]=Ch").await,
        pick(&["Charlie"])
    );
    assert_eq!(
        names(&sb, "query[last_name_not_start]=Ch").await,
        pick(&["Alpha", "Bravo", "Delta", "Echo"])
    );
    assert_eq!(
        names(&sb, "query[last_name_end]=ta").await,
        pick(&["Delta"])
    );
    assert_eq!(
        names(&sb, "query[last_name_not_end]=ta").await,
        pick(&["Alpha", "Bravo", "Charlie", "Echo"])
    );
    assert_eq!(
        names(&sb, "query[last_name_cont]=r").await,
        pick(&["Bravo", "Charlie"])
    );
    assert_eq!(
        names(&sb, "query[last_name_not_cont]=r").await,
        pick(&["Alpha", "Delta", "Echo"])
    );
    assert_eq!(
        names(&sb, "query[no_middle_name_true]=true").await,
        pick(&["Echo"])
    );
    assert_eq!(
        names(&sb, "query[no_middle_name_false]=true").await,
        pick(&["Alpha", "Bravo", "Charlie", "Delta"])
    );
    assert_eq!(names(&sb, "query[active_true]=true").await, pick(&all));
    // dates, as in the reference's examples
    assert_eq!(
        names(&sb, "query[created_at_lt]=2022-01-01").await,
        Vec::<String>::new()
    );
    assert_eq!(
        names(&sb, "query[updated_at_gteq]=2022-01-01T00:00:00.000Z").await,
        pick(&all)
    );
    assert_eq!(
        names(
            &sb,
            "query[created_at_lt]=2999-04-01&query[created_at_gt]=2021-03-23"
        )
        .await,
        pick(&all)
    );
    // predicates combine (AND) and the meta counts the filtered set
    let r = sb
        .get(
            "/candidates?query[last_name_cont]=a&query[middle_name_null]=true&per_page=1",
            KEY_A,
        )
        .await;
    assert_eq!(r.body["meta"]["total_count"], 2, "Charlie, Delta");
    assert_eq!(r.body["meta"]["total_pages"], 2);
    // like Ransack on PostgreSQL (LIKE), matching is case-sensitive
    assert_eq!(
        names(&sb, "query[last_name_cont]=R").await,
        Vec::<String>::new()
    );
    // unknown predicate suffixes are ignored
    assert_eq!(names(&sb, "query[last_name_sorta]=x").await, pick(&all));
}

#[tokio::test]
async fn report_status_predicates_and_null_dates() {
    let sb = start().await;
    let mut ids = vec![];
    for (n, last) in ["Clean", "Consider", "Waiting"].iter().enumerate() {
        let c = sb
            .candidate(KEY_A, "R", last, &format!("r{n}@example.com"))
            .await;
        let i = sb
            .invitation(KEY_A, c["id"].as_str().unwrap(), PKG_BASIC)
            .await;
        ids.push((
            i["id"].as_str().unwrap().to_string(),
            i["report"]["id"].as_str().unwrap().to_string(),
        ));
    }
    for (inv, rep) in &ids[..2] {
        sb.post(
            &format!("/sandbox/invitations/{inv}/complete"),
            KEY_A,
            json!({}),
        )
        .await;
        sb.wait_report(KEY_A, rep, |b| b["completed_at"].is_string())
            .await;
    }
    let statuses = |v: &Value| {
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["status"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let r = sb
        .get(
            "/reports?query[status_in][]=clear&query[status_in][]=consider&order_by=status",
            KEY_A,
        )
        .await;
    assert_eq!(statuses(&r.body), vec!["clear", "consider"]);
    let r = sb
        .get(
            "/reports?query[status_not_in][]=clear&query[status_not_in][]=consider",
            KEY_A,
        )
        .await;
    assert_eq!(statuses(&r.body), vec!["created"]);
    let r = sb.get("/reports?query[status_start]=con", KEY_A).await;
    assert_eq!(statuses(&r.body), vec!["consider"]);
    let r = sb.get("/reports?query[status_end]=sider", KEY_A).await;
    assert_eq!(statuses(&r.body), vec!["consider"]);
    let r = sb
        .get("/reports?query[completed_at_null]=true", KEY_A)
        .await;
    assert_eq!(statuses(&r.body), vec!["created"]);
    let r = sb
        .get(
            "/reports?query[completed_at_not_null]=true&order_by=status&order=desc",
            KEY_A,
        )
        .await;
    assert_eq!(statuses(&r.body), vec!["consider", "clear"]);
    let r = sb.get("/reports?query[status_eq]=created", KEY_A).await;
    assert_eq!(r.body["meta"]["total_count"], 1);
    let r = sb
        .get("/invitations?query[status_eq]=completed", KEY_A)
        .await;
    assert_eq!(r.body["meta"]["total_count"], 2);
}

#[tokio::test]
async fn ordering() {
    let sb = start().await;
    five(&sb).await;
    // the reference: default ascending
    assert_eq!(
        names(&sb, "order_by=created_at").await,
        vec!["Alpha", "Bravo", "Charlie", "Delta", "Echo"]
    );
    assert_eq!(
        names(&sb, "order_by=created_at&order=desc").await,
        vec!["Echo", "Delta", "Charlie", "Bravo", "Alpha"]
    );
    assert_eq!(
        names(&sb, "order_by=first_name&order=desc").await,
        vec!["Echo", "Delta", "Charlie", "Bravo", "Alpha"]
    );
    assert_eq!(
        names(&sb, "order_by=last_name&order=asc").await,
        vec!["Alpha", "Bravo", "Charlie", "Delta", "Echo"]
    );
    // NULLs last ascending
    assert_eq!(
        names(&sb, "order_by=middle_name").await[..2],
        ["Alpha".to_string(), "Bravo".to_string()]
    );
    // combined with predicates and pagination (the reference's last example, adapted)
    let r = sb
        .get("/candidates?query[created_at_lt]=2999-04-01&query[created_at_gt]=2021-03-23&order_by=last_name&order=desc&page=1&per_page=2", KEY_A)
        .await;
    let got: Vec<&str> = r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["last_name"].as_str().unwrap())
        .collect();
    assert_eq!(got, vec!["Echo", "Delta"]);
    assert_eq!(
        r.body["meta"],
        json!({"page": 1, "per_page": 2, "total_count": 5, "total_pages": 3})
    );
}
