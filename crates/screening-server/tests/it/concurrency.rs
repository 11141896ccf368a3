//! Idempotency under concurrency: 50 simultaneous submissions of one order.

use serde_json::Value;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_submissions_make_one_candidate_and_one_invitation() {
    let env = std::sync::Arc::new(Env::start(Opts::default()).await);
    let order = simple_order("conc-1", &env.receiver.url(), "conc@example.com", "Doe");
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let (env, order) = (env.clone(), order.clone());
        set.spawn(async move { env.order(&order).await });
    }
    let mut answers: Vec<(u16, Value)> = Vec::new();
    while let Some(r) = set.join_next().await {
        answers.push(r.unwrap());
    }
    assert!(
        answers.iter().all(|(s, _)| *s == 201),
        "{:?}",
        answers.iter().map(|a| a.0).collect::<Vec<_>>()
    );
    let first = &answers[0].1;
    assert!(
        answers.iter().all(|(_, b)| b == first),
        "every submission gets the same answer"
    );
    assert_eq!(list(&env.yardstik_get("/candidates").await).len(), 1);
    assert_eq!(list(&env.yardstik_get("/invitations").await).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn existing_candidate_is_reused_for_a_second_order() {
    let env = Env::start(Opts::default()).await;
    let (s1, _) = env
        .order(&simple_order(
            "same-1",
            &env.receiver.url(),
            "same@example.com",
            "Doe",
        ))
        .await;
    let (s2, _) = env
        .order(&simple_order(
            "same-2",
            &env.receiver.url(),
            "same@example.com",
            "Doe",
        ))
        .await;
    assert_eq!((s1, s2), (201, 201));
    assert_eq!(
        list(&env.yardstik_get("/candidates").await).len(),
        1,
        "Yardstik's 200 'Candidate already exists' is reused"
    );
    assert_eq!(list(&env.yardstik_get("/invitations").await).len(), 2);
}
