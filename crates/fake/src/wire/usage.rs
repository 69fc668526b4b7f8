//! Synthetic usage of the fake's nodes: the fake runs no workloads, yet node and node-pool
//! metrics and node telemetry need numbers that behave like a busy cluster's. Every value
//! is a pure function of the node's name, the GPU, the metric and the instant, so the same
//! request gets the same series, and the aggregates of a pool are sums and means of its
//! nodes' values at the same instant. The rules the numbers keep: a GPU is allocated or
//! not for an hour at a time, only an allocated GPU is busy, allocation never exceeds
//! capacity and every percentage lies in 0..=100.
//!
//! `series` is the entry point for one object and one metric over a window of instants.

use serde_json::{json, Map, Value};

use crate::error::ApiError;
use crate::store::{format_time, Node, NodePool, Store};
use crate::wire::resources::deserved_gpus;

/// Allocation holds for an hour, utilisation for five minutes.
const ALLOCATION_PERIOD: i64 = 3600;
const ACTIVITY_PERIOD: i64 = 300;
/// Per-GPU link speeds the bandwidth metrics scale (bytes per second).
const NVLINK_BYTES_PER_SECOND: f64 = 450e9;
const PCIE_BYTES_PER_SECOND: f64 = 64e9;

/// The `NodeMetricType` values; `_PER_GPU` ones answer one measurement per GPU.
pub(crate) const NODE_METRICS: [&str; 30] = [
    "GPU_UTILIZATION_PER_GPU",
    "GPU_UTILIZATION",
    "GPU_MEMORY_UTILIZATION_PER_GPU",
    "GPU_MEMORY_UTILIZATION",
    "GPU_MEMORY_USAGE_BYTES_PER_GPU",
    "GPU_MEMORY_USAGE_BYTES",
    "GPU_ALLOCATION_PER_GPU",
    "GPU_MEMORY_ALLOCATION_BYTES_PER_GPU",
    "GPU_IDLE_TIME_SECONDS_PER_GPU",
    "CPU_USAGE_CORES",
    "CPU_UTILIZATION",
    "CPU_MEMORY_USAGE_BYTES",
    "CPU_MEMORY_UTILIZATION",
    "GPU_OOMKILL_BURST_COUNT_PER_GPU",
    "GPU_OOMKILL_IDLE_COUNT_PER_GPU",
    "GPU_OOMKILL_SWAP_OUT_OF_RAM_COUNT_PER_GPU",
    "GPU_GRAPHICS_ENGINE_ACTIVITY_PER_GPU",
    "GPU_SM_ACTIVITY_PER_GPU",
    "GPU_SM_OCCUPANCY_PER_GPU",
    "GPU_TENSOR_ACTIVITY_PER_GPU",
    "GPU_FP64_ENGINE_ACTIVITY_PER_GPU",
    "GPU_FP32_ENGINE_ACTIVITY_PER_GPU",
    "GPU_FP16_ENGINE_ACTIVITY_PER_GPU",
    "GPU_MEMORY_BANDWIDTH_UTILIZATION_PER_GPU",
    "GPU_NVLINK_TRANSMITTED_BANDWIDTH_PER_GPU",
    "GPU_NVLINK_RECEIVED_BANDWIDTH_PER_GPU",
    "GPU_PCIE_TRANSMITTED_BANDWIDTH_PER_GPU",
    "GPU_PCIE_RECEIVED_BANDWIDTH_PER_GPU",
    "NVLINK_BANDWIDTH_TOTAL",
    "NVLINK_BANDWIDTH_TOTAL_PER_GPU",
];

/// The `MetricsType` values a node pool answers.
pub(crate) const POOL_METRICS: [&str; 12] = [
    "TOTAL_GPU_NODES",
    "GPU_UTILIZATION",
    "GPU_UTILIZATION_DISTRIBUTION",
    "GPU_MEMORY_UTILIZATION",
    "CPU_UTILIZATION",
    "CPU_MEMORY_UTILIZATION",
    "TOTAL_GPU",
    "GPU_QUOTA",
    "ALLOCATED_GPU",
    "UNALLOCATED_GPU",
    "AVG_WORKLOAD_WAIT_TIME",
    "WORKLOADS_COUNT",
];

/// The `NodeTelemetryType` values.
pub(crate) const TELEMETRY: [&str; 16] = [
    "READY_GPU_NODES",
    "READY_GPUS",
    "TOTAL_GPU_NODES",
    "TOTAL_GPUS",
    "IDLE_ALLOCATED_GPUS",
    "FREE_GPUS",
    "ALLOCATED_GPUS",
    "TOTAL_CPU_CORES",
    "USED_CPU_CORES",
    "ALLOCATED_CPU_CORES",
    "TOTAL_GPU_MEMORY_BYTES",
    "USED_GPU_MEMORY_BYTES",
    "TOTAL_CPU_MEMORY_BYTES",
    "USED_CPU_MEMORY_BYTES",
    "ALLOCATED_CPU_MEMORY_BYTES",
    "FULLY_FREE_GPU_NODES",
];

/// What a metric is about.
#[derive(Clone, Copy)]
pub(crate) enum Measured<'a> {
    Node(&'a Node),
    NodePool(&'a NodePool),
}

/// A number in [0, 1) drawn from the words and the instant's period, the same every time.
fn draw(words: &[&str], period: i64) -> f64 {
    // FNV-1a over the words, then splitmix64 to spread the bits.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for word in words {
        for byte in word.bytes().chain([0xff]) {
            h ^= u64::from(byte);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    let mut z = h ^ (period as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// One GPU at one instant.
#[derive(Clone, Copy)]
struct Gpu {
    allocated: bool,
    /// Percent, 0 when not allocated (and for an allocated GPU left idle).
    utilisation: f64,
    memory_used: f64,
}

fn gpu(node: &Node, index: u32, at: i64) -> Gpu {
    let index = index.to_string();
    let words = [node.name.as_str(), index.as_str()];
    // Each node has its own typical load, between 40 % and 90 % of its GPUs.
    let load = 0.4 + 0.5 * draw(&[node.name.as_str(), "load"], 0);
    let allocated = draw(
        &[&words[..], &["allocated"]].concat(),
        at.div_euclid(ALLOCATION_PERIOD),
    ) < load;
    if !allocated {
        return Gpu {
            allocated,
            utilisation: 0.0,
            memory_used: 0.0,
        };
    }
    let activity = draw(
        &[&words[..], &["activity"]].concat(),
        at.div_euclid(ACTIVITY_PERIOD),
    );
    // One allocated GPU in ten sits idle: what IDLE_ALLOCATED_GPUS counts.
    let utilisation = if activity < 0.1 {
        0.0
    } else {
        (30.0 + 70.0 * (activity - 0.1) / 0.9).min(100.0)
    };
    let memory_used = node.gpu_memory_bytes as f64 * (0.2 + 0.75 * activity);
    Gpu {
        allocated,
        utilisation,
        memory_used,
    }
}

fn gpus(node: &Node, at: i64) -> Vec<Gpu> {
    (0..node.gpu_count).map(|i| gpu(node, i, at)).collect()
}

/// A node's CPU side at one instant: cores used and allocated, memory used and allocated
/// (bytes). What is allocated follows the GPUs allocated; what is used stays below it.
struct Host {
    cores_used: f64,
    cores_allocated: f64,
    memory_used: f64,
    memory_allocated: f64,
}

fn host(node: &Node, at: i64) -> Host {
    let share = if node.gpu_count == 0 {
        0.2 + 0.6
            * draw(
                &[node.name.as_str(), "cpu-allocated"],
                at.div_euclid(ALLOCATION_PERIOD),
            )
    } else {
        let allocated = gpus(node, at).iter().filter(|g| g.allocated).count();
        0.05 + 0.9 * allocated as f64 / f64::from(node.gpu_count)
    };
    let busy = draw(
        &[node.name.as_str(), "cpu-busy"],
        at.div_euclid(ACTIVITY_PERIOD),
    );
    let cores = f64::from(node.cpu_cores);
    let memory = node.memory_bytes as f64;
    Host {
        cores_used: (cores * share * (0.3 + 0.7 * busy)).round(),
        cores_allocated: (cores * share).round(),
        memory_used: (memory * share * (0.4 + 0.5 * busy)).round(),
        memory_allocated: (memory * share).round(),
    }
}

fn percent(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        (100.0 * part / whole).clamp(0.0, 100.0)
    } else {
        0.0
    }
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0u32), |(s, n), v| (s + v, n + 1));
    if n == 0 {
        0.0
    } else {
        sum / f64::from(n)
    }
}

/// Seconds since the GPU last did something, within its current hour.
fn idle_seconds(node: &Node, index: u32, at: i64) -> f64 {
    if gpu(node, index, at).utilisation > 0.0 {
        return 0.0;
    }
    let mut since = at;
    let hour = at.div_euclid(ALLOCATION_PERIOD) * ALLOCATION_PERIOD;
    while since - ACTIVITY_PERIOD >= hour
        && gpu(node, index, since - ACTIVITY_PERIOD).utilisation == 0.0
    {
        since -= ACTIVITY_PERIOD;
    }
    let start = since.div_euclid(ACTIVITY_PERIOD) * ACTIVITY_PERIOD;
    (at - start) as f64
}

/// The value of a per-GPU node metric for one GPU.
fn per_gpu(node: &Node, metric: &str, index: u32, at: i64) -> f64 {
    let g = gpu(node, index, at);
    let memory = node.gpu_memory_bytes as f64;
    // The engines' activity is a share of the GPU's utilisation, fixed per engine.
    let engine = |name: &str| g.utilisation * (0.3 + 0.7 * draw(&[node.name.as_str(), name], 0));
    let link = |name: &str, speed: f64| {
        let index = index.to_string();
        g.utilisation / 100.0
            * speed
            * draw(
                &[node.name.as_str(), index.as_str(), name],
                at.div_euclid(ACTIVITY_PERIOD),
            )
    };
    let nvlink = node.nvlink_domain.is_some();
    let oom = |name: &str| {
        let index = index.to_string();
        let drawn = draw(
            &[node.name.as_str(), index.as_str(), name],
            at.div_euclid(ACTIVITY_PERIOD),
        );
        if g.allocated && drawn < 0.02 {
            1.0
        } else {
            0.0
        }
    };
    match metric {
        "GPU_UTILIZATION_PER_GPU" => g.utilisation,
        "GPU_MEMORY_UTILIZATION_PER_GPU" => percent(g.memory_used, memory),
        "GPU_MEMORY_USAGE_BYTES_PER_GPU" => g.memory_used.round(),
        "GPU_ALLOCATION_PER_GPU" => f64::from(u8::from(g.allocated)),
        "GPU_MEMORY_ALLOCATION_BYTES_PER_GPU" => {
            if g.allocated {
                memory
            } else {
                0.0
            }
        }
        "GPU_IDLE_TIME_SECONDS_PER_GPU" => idle_seconds(node, index, at),
        "GPU_OOMKILL_BURST_COUNT_PER_GPU" => oom("oom-burst"),
        "GPU_OOMKILL_IDLE_COUNT_PER_GPU" => oom("oom-idle"),
        "GPU_OOMKILL_SWAP_OUT_OF_RAM_COUNT_PER_GPU" => oom("oom-swap"),
        "GPU_NVLINK_TRANSMITTED_BANDWIDTH_PER_GPU" if nvlink => {
            link("nvlink-tx", NVLINK_BYTES_PER_SECOND).round()
        }
        "GPU_NVLINK_RECEIVED_BANDWIDTH_PER_GPU" if nvlink => {
            link("nvlink-rx", NVLINK_BYTES_PER_SECOND).round()
        }
        "NVLINK_BANDWIDTH_TOTAL_PER_GPU" if nvlink => (link("nvlink-tx", NVLINK_BYTES_PER_SECOND)
            + link("nvlink-rx", NVLINK_BYTES_PER_SECOND))
        .round(),
        "GPU_NVLINK_TRANSMITTED_BANDWIDTH_PER_GPU"
        | "GPU_NVLINK_RECEIVED_BANDWIDTH_PER_GPU"
        | "NVLINK_BANDWIDTH_TOTAL_PER_GPU" => 0.0,
        "GPU_PCIE_TRANSMITTED_BANDWIDTH_PER_GPU" => link("pcie-tx", PCIE_BYTES_PER_SECOND).round(),
        "GPU_PCIE_RECEIVED_BANDWIDTH_PER_GPU" => link("pcie-rx", PCIE_BYTES_PER_SECOND).round(),
        // The engine activities and the memory bandwidth: percentages below utilisation.
        other => engine(other),
    }
}

/// The value of a whole-node metric.
fn node_value(node: &Node, metric: &str, at: i64) -> f64 {
    let now = gpus(node, at);
    let h = host(node, at);
    match metric {
        "GPU_UTILIZATION" => mean(now.iter().map(|g| g.utilisation)),
        "GPU_MEMORY_UTILIZATION" => percent(
            now.iter().map(|g| g.memory_used).sum(),
            node.gpu_memory_bytes as f64 * f64::from(node.gpu_count),
        ),
        "GPU_MEMORY_USAGE_BYTES" => now.iter().map(|g| g.memory_used).sum::<f64>().round(),
        "CPU_USAGE_CORES" => h.cores_used,
        "CPU_UTILIZATION" => percent(h.cores_used, f64::from(node.cpu_cores)),
        "CPU_MEMORY_USAGE_BYTES" => h.memory_used,
        "CPU_MEMORY_UTILIZATION" => percent(h.memory_used, node.memory_bytes as f64),
        // NVLINK_BANDWIDTH_TOTAL: the node's GPUs together.
        _ => (0..node.gpu_count)
            .map(|i| per_gpu(node, "NVLINK_BANDWIDTH_TOTAL_PER_GPU", i, at))
            .sum(),
    }
}

/// What the department quotas give the pool, in GPUs.
fn pool_quota(store: &Store, pool: &NodePool) -> f64 {
    store
        .departments
        .iter()
        .map(|d| deserved_gpus(&d.resources, &pool.id))
        .sum()
}

const DISTRIBUTION: [(&str, f64, f64); 4] = [
    ("0-25", 0.0, 25.0),
    ("25-50", 25.0, 50.0),
    ("50-75", 50.0, 75.0),
    ("75-100", 75.0, 100.1),
];

fn pool_value(store: &Store, pool: &NodePool, metric: &str, at: i64) -> f64 {
    let nodes: Vec<&Node> = store.nodes_in(pool).collect();
    let all: Vec<Gpu> = nodes.iter().flat_map(|n| gpus(n, at)).collect();
    let total = all.len() as f64;
    let allocated = all.iter().filter(|g| g.allocated).count() as f64;
    let hosts: Vec<(Host, &Node)> = nodes.iter().map(|n| (host(n, at), *n)).collect();
    match metric {
        "TOTAL_GPU_NODES" => nodes.iter().filter(|n| n.gpu_count > 0).count() as f64,
        "TOTAL_GPU" => total,
        "ALLOCATED_GPU" => allocated,
        "UNALLOCATED_GPU" => total - allocated,
        "GPU_QUOTA" => pool_quota(store, pool),
        "GPU_UTILIZATION" => mean(all.iter().map(|g| g.utilisation)),
        "GPU_MEMORY_UTILIZATION" => percent(
            all.iter().map(|g| g.memory_used).sum(),
            nodes
                .iter()
                .map(|n| n.gpu_memory_bytes as f64 * f64::from(n.gpu_count))
                .sum(),
        ),
        "CPU_UTILIZATION" => percent(
            hosts.iter().map(|(h, _)| h.cores_used).sum(),
            hosts.iter().map(|(_, n)| f64::from(n.cpu_cores)).sum(),
        ),
        "CPU_MEMORY_UTILIZATION" => percent(
            hosts.iter().map(|(h, _)| h.memory_used).sum(),
            hosts.iter().map(|(_, n)| n.memory_bytes as f64).sum(),
        ),
        // Two GPUs a workload on average, at least one workload while any GPU is taken.
        "WORKLOADS_COUNT" => (allocated / 2.0).ceil(),
        "AVG_WORKLOAD_WAIT_TIME" if allocated > 0.0 => (30.0
            + 570.0
                * draw(
                    &[pool.name.as_str(), "wait"],
                    at.div_euclid(ACTIVITY_PERIOD),
                ))
        .round(),
        _ => 0.0,
    }
}

/// A value as the API writes it: integers without a fraction, others to two decimals.
fn text(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}

fn measurement(
    metric: &str,
    labels: Option<Map<String, Value>>,
    instants: &[i64],
    value: impl Fn(i64) -> f64,
) -> Value {
    let values: Vec<Value> = instants
        .iter()
        .filter_map(|at| {
            let stamp = time::OffsetDateTime::from_unix_timestamp(*at).ok()?;
            Some(json!({"value": text(value(*at)), "timestamp": format_time(stamp)}))
        })
        .collect();
    json!({"type": metric, "labels": labels.map_or(Value::Null, Value::Object), "values": values})
}

fn labels(pairs: &[(&str, String)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), Value::String(v.clone())))
        .collect()
}

/// The `MeasurementResponse`s of one metric of one object at the given instants: one for
/// a whole-object metric, one per GPU (`labels.gpu`) for a per-GPU node metric, one per
/// utilisation range (`labels.range`) for a pool's GPU utilisation distribution. A metric
/// the object's kind does not have is a 400 naming it.
pub(crate) fn series(
    store: &Store,
    measured: Measured<'_>,
    metric: &str,
    instants: &[i64],
) -> Result<Vec<Value>, ApiError> {
    let unknown = || {
        ApiError::bad_request(format!(
            "query parameter metricType: unknown value {metric:?}"
        ))
    };
    match measured {
        Measured::Node(node) => {
            if !NODE_METRICS.contains(&metric) {
                return Err(unknown());
            }
            if metric.ends_with("_PER_GPU") {
                return Ok((0..node.gpu_count)
                    .map(|i| {
                        let tags = labels(&[("gpu", i.to_string()), ("node", node.name.clone())]);
                        measurement(metric, Some(tags), instants, |at| {
                            per_gpu(node, metric, i, at)
                        })
                    })
                    .collect());
            }
            Ok(vec![measurement(metric, None, instants, |at| {
                node_value(node, metric, at)
            })])
        }
        Measured::NodePool(pool) => {
            if !POOL_METRICS.contains(&metric) {
                return Err(unknown());
            }
            if metric == "GPU_UTILIZATION_DISTRIBUTION" {
                return Ok(DISTRIBUTION
                    .iter()
                    .map(|(range, low, high)| {
                        measurement(
                            metric,
                            Some(labels(&[("range", (*range).to_string())])),
                            instants,
                            |at| {
                                store
                                    .nodes_in(pool)
                                    .flat_map(|n| gpus(n, at))
                                    .filter(|g| g.utilisation >= *low && g.utilisation < *high)
                                    .count() as f64
                            },
                        )
                    })
                    .collect());
            }
            Ok(vec![measurement(metric, None, instants, |at| {
                pool_value(store, pool, metric, at)
            })])
        }
    }
}

/// One node's share of a telemetry type at an instant.
pub(crate) fn telemetry_value(node: &Node, kind: &str, at: i64) -> f64 {
    let now = gpus(node, at);
    let h = host(node, at);
    let gpu_node = node.gpu_count > 0;
    let ready = node.status == "Ready";
    let count = |keep: &dyn Fn(&Gpu) -> bool| now.iter().filter(|g| keep(g)).count() as f64;
    let gpus_total = f64::from(node.gpu_count);
    match kind {
        "READY_GPU_NODES" => f64::from(u8::from(gpu_node && ready)),
        "READY_GPUS" => {
            if ready {
                gpus_total
            } else {
                0.0
            }
        }
        "TOTAL_GPU_NODES" => f64::from(u8::from(gpu_node)),
        "TOTAL_GPUS" => gpus_total,
        "IDLE_ALLOCATED_GPUS" => count(&|g| g.allocated && g.utilisation == 0.0),
        "FREE_GPUS" => count(&|g| !g.allocated),
        "ALLOCATED_GPUS" => count(&|g| g.allocated),
        "TOTAL_CPU_CORES" => f64::from(node.cpu_cores),
        "USED_CPU_CORES" => h.cores_used,
        "ALLOCATED_CPU_CORES" => h.cores_allocated,
        "TOTAL_GPU_MEMORY_BYTES" => node.gpu_memory_bytes as f64 * gpus_total,
        "USED_GPU_MEMORY_BYTES" => now.iter().map(|g| g.memory_used).sum::<f64>().round(),
        "TOTAL_CPU_MEMORY_BYTES" => node.memory_bytes as f64,
        "USED_CPU_MEMORY_BYTES" => h.memory_used,
        "ALLOCATED_CPU_MEMORY_BYTES" => h.memory_allocated,
        // FULLY_FREE_GPU_NODES
        _ => f64::from(u8::from(gpu_node && now.iter().all(|g| !g.allocated))),
    }
}

/// A telemetry value as text.
pub(crate) fn telemetry_text(value: f64) -> String {
    text(value)
}
