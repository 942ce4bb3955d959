//! The board report's PDF read back with poppler: its text against the model (every outcome
//! of every scope with its status, the summary counts, each snapshot hash), every page
//! rendered and none blank, DRAFT and the classification on every page, identical bytes
//! from the same report, and the document's metadata and outline.
//!
//! Needs poppler-utils (`pdftotext`, `pdftoppm`, `pdfinfo`); `scripts/test.sh` installs it.

mod report_fixture;

use std::path::{Path, PathBuf};
use std::process::Command;

use app::report::{BoardReport, status_words};
use server::report::pdf::render_pdf;

/// Runs a poppler tool, failing the test with a clear message when it is missing.
fn poppler(tool: &str, args: &[&str]) -> String {
    let output = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!(
            "{tool} could not be run ({e}): install poppler-utils \
             (`apt-get install -y poppler-utils`; scripts/test.sh does this)"
        )
    });
    assert!(
        output.status.success(),
        "{tool} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A fresh folder for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("caf-report-pdf-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp folder");
    dir
}

/// Renders the report to a file and returns its path and bytes.
fn render_to(report: &BoardReport, dir: &Path) -> (PathBuf, Vec<u8>) {
    let bytes = render_pdf(report).expect("the report renders");
    let path = dir.join("report.pdf");
    std::fs::write(&path, &bytes).expect("write the PDF");
    if let Ok(out) = std::env::var("REPORT_PDF_OUT") {
        let name = if report.draft { "draft" } else { "final" };
        std::fs::write(format!("{out}-{name}.pdf"), &bytes).expect("write the copy");
    }
    (path, bytes)
}

fn page_count(pdf: &Path) -> usize {
    let info = poppler("pdfinfo", &[pdf.to_str().expect("utf-8 path")]);
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo gives the page count")
}

/// The text of each page, in layout mode.
fn pages_text(pdf: &Path) -> Vec<String> {
    let text = poppler(
        "pdftotext",
        &["-layout", pdf.to_str().expect("utf-8 path"), "-"],
    );
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_owned).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// Whitespace collapsed to single spaces, line by line.
fn squeezed(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn the_text_holds_every_outcome_with_its_status_the_counts_and_each_hash() {
    let report = report_fixture::report(false);
    let dir = scratch("text");
    let (pdf, _) = render_to(&report, &dir);
    let pages = pages_text(&pdf);
    let text = pages.join("\n");
    let lines = squeezed(&text);
    let flat = lines.join("\n");

    // The appendix: each scope's outcomes in order, each followed by its status in words.
    let mut at = flat
        .find("Appendix: every outcome")
        .expect("the appendix heading");
    for scope in &report.appendix {
        at += flat[at..]
            .find(&format!("\n{}\n", scope.scope))
            .unwrap_or_else(|| panic!("the appendix has a part for {}", scope.scope));
        for outcome in &scope.outcomes {
            let heading = format!(
                "\n{} {}",
                outcome.outcome,
                &outcome.title[..outcome.title.len().min(12)]
            );
            at += flat[at..].find(&heading).unwrap_or_else(|| {
                panic!(
                    "{}: outcome {} is in the appendix",
                    scope.scope, outcome.outcome
                )
            });
            let status = format!("Status: {}", status_words(outcome.status));
            let next = flat[at..].find("Status: ").expect("a status line") + at;
            assert!(
                flat[next..].starts_with(&status),
                "{}: {} says {status:?}, found {:?}",
                scope.scope,
                outcome.outcome,
                &flat[next..next + 40]
            );
        }
    }

    // The summary counts are the caf crate's comparison of each scope with the profile: the
    // summary page's table rows, in order, end in exactly these four numbers.
    let summary_page = pages
        .iter()
        .find(|p| {
            p.contains("Executive summary") && p.contains("Outcomes meeting the target profile")
        })
        .expect("the executive summary page");
    let printed: Vec<[usize; 4]> = squeezed(summary_page)
        .iter()
        .filter_map(|line| {
            let words: Vec<&str> = line.split(' ').collect();
            let tail = words.get(words.len().checked_sub(4)?..)?;
            let numbers: Vec<usize> = tail.iter().filter_map(|w| w.parse().ok()).collect();
            <[usize; 4]>::try_from(numbers).ok()
        })
        .collect();
    let comparisons = report_fixture::comparisons(false);
    let mut expected = Vec::new();
    let mut overall = caf::Totals::default();
    for (s, comparison) in comparisons.iter().enumerate() {
        let scope = report_fixture::SCOPES[s].0;
        for group in &comparison.objectives {
            let t = group.totals;
            assert!(
                squeezed(summary_page).iter().any(|l| l.contains(&format!(
                    "{} {}",
                    group.id,
                    &group.title[..10]
                ))),
                "the summary names objective {} for {scope}",
                group.id
            );
            expected.push([t.outcomes, t.assessed, t.meeting, t.below]);
            overall.outcomes += t.outcomes;
            overall.assessed += t.assessed;
            overall.meeting += t.meeting;
            overall.below += t.below;
        }
    }
    expected.push([
        overall.outcomes,
        overall.assessed,
        overall.meeting,
        overall.below,
    ]);
    assert_eq!(printed, expected, "the summary table's counts");
    let total = format!(
        "All scopes {} {} {} {}",
        overall.outcomes, overall.assessed, overall.meeting, overall.below
    );
    assert!(
        lines.iter().any(|l| l.contains(&total)),
        "the total row {total:?}"
    );
    assert_eq!(
        overall.outcomes,
        report
            .appendix
            .iter()
            .map(|s| s.outcomes.len())
            .sum::<usize>()
    );

    // Each scope's snapshot hash, whole on one line.
    for hash in report_fixture::HASHES {
        assert!(
            lines.iter().any(|l| l.contains(hash)),
            "the hash {hash} is printed whole"
        );
    }
}

#[test]
fn every_page_renders_and_none_is_blank() {
    let report = report_fixture::report(true);
    let dir = scratch("pages");
    let (pdf, _) = render_to(&report, &dir);
    let pages = page_count(&pdf);
    assert!(
        pages >= 10,
        "a report of three scopes runs to {pages} pages"
    );
    let prefix = dir.join("page");
    poppler(
        "pdftoppm",
        &[
            "-r",
            "40",
            "-png",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    let mut images: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .collect();
    images.sort();
    assert_eq!(
        images.len(),
        pages,
        "one image per page the PDF says it has"
    );
    for image in &images {
        let decoder =
            png::Decoder::new(std::io::BufReader::new(std::fs::File::open(image).unwrap()));
        let mut reader = decoder.read_info().expect("a PNG");
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).expect("a frame");
        let channels = info.color_type.samples();
        let (w, h) = (info.width as usize, info.height as usize);
        // Look only inside the content area, between the running header and the footer.
        let inked = (h * 8 / 100..h * 92 / 100)
            .flat_map(|y| (0..w).map(move |x| (y * w + x) * channels))
            .filter(|&i| buf[i..i + channels.min(3)].iter().any(|&v| v < 200))
            .count();
        assert!(
            inked > 200,
            "{} has content ({inked} dark pixels)",
            image.display()
        );
    }
}

#[test]
fn a_draft_says_draft_on_every_page_and_a_signed_off_report_nowhere() {
    for draft in [true, false] {
        let report = report_fixture::report(draft);
        let dir = scratch(if draft { "draft" } else { "final" });
        let (pdf, _) = render_to(&report, &dir);
        let pages = pages_text(&pdf);
        assert_eq!(pages.len(), page_count(&pdf));
        for (i, page) in pages.iter().enumerate() {
            assert_eq!(
                page.contains("DRAFT"),
                draft,
                "page {} and DRAFT (draft: {draft})",
                i + 1
            );
            assert!(
                page.contains(&report.classification),
                "page {} shows the classification",
                i + 1
            );
            assert!(
                page.contains(&format!("Page {} of {}", i + 1, pages.len())),
                "page {} is numbered",
                i + 1
            );
        }
    }
}

#[test]
fn the_same_report_gives_the_same_bytes() {
    let report = report_fixture::report(false);
    let first = render_pdf(&report).unwrap();
    let second = render_pdf(&report).unwrap();
    assert!(first == second, "two renders of one report differ");
    let mut later = report.clone();
    later.generated_on = "2026-07-01".into();
    assert_ne!(
        render_pdf(&later).unwrap(),
        first,
        "the generation date is in the file"
    );
}

#[test]
fn metadata_and_outline_describe_the_report() {
    let report = report_fixture::report(false);
    let dir = scratch("meta");
    let (pdf, bytes) = render_to(&report, &dir);
    let info = poppler("pdfinfo", &[pdf.to_str().unwrap()]);
    assert!(info.contains(&report.title), "title in {info}");
    assert!(info.contains(&report.organisation), "author in {info}");
    assert!(
        info.contains("2026-06-15") || info.contains("Jun 15"),
        "creation date in {info}"
    );
    assert!(info.contains("A4"), "A4 pages in {info}");
    let toc = lopdf::Document::load_mem(&bytes)
        .expect("lopdf reads the PDF")
        .get_toc()
        .expect("the PDF has an outline");
    let titles: Vec<&str> = toc.toc.iter().map(|t| t.title.as_str()).collect();
    let mut expected = vec![
        "Cover",
        "Executive summary",
        "Heat map",
        "Outcomes by objective",
        "Gaps and the improvement plan",
        "Assurance",
        "Sign-off",
        "Appendix",
    ];
    let scopes: Vec<String> = report
        .appendix
        .iter()
        .map(|s| format!("Appendix: {}", s.scope))
        .collect();
    expected.extend(scopes.iter().map(String::as_str));
    assert_eq!(titles, expected, "the outline, in reading order");
    let pages: Vec<usize> = toc.toc.iter().map(|t| t.page).collect();
    assert!(
        pages.windows(2).all(|w| w[0] <= w[1]),
        "outline pages {pages:?} ascend"
    );
    assert!(
        bytes.len() < 1_000_000,
        "the report is {} bytes, over 1 MB",
        bytes.len()
    );
}

#[test]
fn a_bad_generation_date_is_refused() {
    let mut report = report_fixture::report(false);
    report.generated_on = "15 June".into();
    let err = render_pdf(&report).unwrap_err();
    assert!(err.to_string().contains("15 June"), "{err}");
}
