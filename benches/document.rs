//! Pages, takes and container opening on documents of 1k, 100k and 1M small
//! items. A page must cost the same whatever the document size; opening a
//! container without verification must too.

use std::hint::black_box;
use std::io::Write;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use slotjson::document::{Document, DocumentBuilder, DocumentView};

const SIZES: [(usize, &str); 3] = [(1_000, "1k"), (100_000, "100k"), (1_000_000, "1M")];

/// About 60 bytes per item, like a small API record.
fn document(n: usize) -> Document {
    let mut b = DocumentBuilder::with_capacity(n * 64, n);
    let mut item = Vec::with_capacity(96);
    for i in 0..n {
        item.clear();
        write!(
            item,
            r#"{{"id":{i},"name":"item-{i}","score":{}.5,"active":true}}"#,
            i % 100
        )
        .unwrap();
        b.push_raw(&item);
    }
    b.finish()
}

/// 100 spread-out indices, fixed so runs are comparable.
fn indices(n: usize) -> Vec<usize> {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    (0..100)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n as u64) as usize
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    let docs: Vec<(Document, Vec<u8>, &str)> = SIZES
        .iter()
        .map(|&(n, name)| {
            let doc = document(n);
            let container = doc.to_container(true).unwrap();
            (doc, container, name)
        })
        .collect();

    let mut g = c.benchmark_group("page_100");
    for (doc, _, name) in &docs {
        let offset = doc.len() / 2;
        g.throughput(Throughput::Bytes(
            doc.page(offset, Some(100)).unwrap().len() as u64,
        ));
        g.bench_with_input(BenchmarkId::new("new_vec", name), doc, |b, doc| {
            b.iter(|| doc.page(black_box(offset), Some(100)).unwrap())
        });
        let mut out = Vec::new();
        g.bench_with_input(BenchmarkId::new("into_reused", name), doc, |b, doc| {
            b.iter(|| {
                out.clear();
                doc.write_page_into(&mut out, black_box(offset), Some(100))
                    .unwrap();
                out.len()
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("take_100");
    for (doc, _, name) in &docs {
        let picks = indices(doc.len());
        g.bench_with_input(BenchmarkId::from_parameter(name), doc, |b, doc| {
            b.iter(|| doc.take(black_box(&picks).iter().copied()).unwrap())
        });
    }
    g.finish();

    let mut g = c.benchmark_group("from_bytes");
    for (_, container, name) in &docs {
        g.bench_with_input(BenchmarkId::new("lazy", name), container, |b, bytes| {
            b.iter(|| {
                DocumentView::from_bytes(black_box(bytes), false)
                    .unwrap()
                    .len()
            })
        });
    }
    g.finish();

    // O(size): checksum and whole-index check, reported as throughput.
    let mut g = c.benchmark_group("from_bytes_verify");
    g.sample_size(10);
    for (_, container, name) in &docs {
        g.throughput(Throughput::Bytes(container.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(name), container, |b, bytes| {
            b.iter(|| {
                DocumentView::from_bytes(black_box(bytes), true)
                    .unwrap()
                    .len()
            })
        });
    }
    g.finish();
}

criterion_group!(document_benches, benches);
criterion_main!(document_benches);
