//! PDF generation of the board report for a CAF 4.0 assessment with three scopes (the
//! organisation and two critical systems), every outcome answered, long narratives, gaps
//! with actions. Target: under 100 ms and under 1 MB.
//!
//! Run: `cargo bench -p server --bench report_pdf`.

#[path = "../tests/report_fixture/mod.rs"]
mod report_fixture;

use criterion::{Criterion, criterion_group, criterion_main};
use server::report::pdf::render_pdf;

fn bench(c: &mut Criterion) {
    let report = report_fixture::report(false);
    let bytes = render_pdf(&report).expect("the report renders");
    println!(
        "board report PDF: {} bytes ({:.0} KiB)",
        bytes.len(),
        bytes.len() as f64 / 1024.0
    );
    c.bench_function("render_pdf (CAF 4.0, 3 scopes)", |b| {
        b.iter(|| render_pdf(std::hint::black_box(&report)).expect("renders"))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);
