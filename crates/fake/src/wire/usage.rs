//! Synthetic usage of the fake's clusters: the fake runs no workloads, yet metrics,
//! telemetry and reports need numbers that behave like a busy cluster's, and all of them
//! must tell the same story. There is one model here, a pure function of the store and the
//! instant, so the same request gets the same series:
//!
//! * Every hour each project that has a quota in a node pool wants some GPUs there: about
//!   its deserved GPUs, busier in working hours, now and then a burst into over-quota, never
//!   above its GPU limit (the pool's capacity when it has none).
//! * The pool's scheduler grants the wants in whole GPUs: first each project's in-quota
//!   part, then what is left of the pool one GPU at a time round the projects, so the pool
//!   never gives more than it has. What a project wanted and did not get is pending.
//! * The granted GPUs are placed on the pool's nodes (a different placement each hour), so
//!   a node's allocated GPUs are exactly the ones some project holds. A department holds
//!   what its projects hold; a pool, what its nodes hold; a cluster, what its pools hold.
//! * An allocated GPU is busy or idle in five-minute steps; only an allocated GPU is busy,
//!   and every percentage lies in 0..=100. A project's CPU and memory follow its GPUs:
//!   each GPU brings its share of its node's cores and memory.
//!
//! A fresh fake has no projects, so nothing is allocated until some are created. The
//! metric types each kind answers are the spec's enums, read from the catalogue.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use runai_admin_core::api::Catalogue;
use serde_json::{json, Map, Value};

use crate::error::ApiError;
use crate::store::{format_time, GpuQuota, Node, NodePool, OrgUnit, Store};
use crate::wire::legacy::memory_out;
use crate::wire::resources::{deserved_gpus, pool_of, Amounts, QuotaFigures, UnitStatus};

/// Allocation holds for an hour, utilisation for five minutes.
pub(crate) const ALLOCATION_PERIOD: i64 = 3600;
const ACTIVITY_PERIOD: i64 = 300;
/// Per-GPU link speeds the bandwidth metrics scale (bytes per second).
const NVLINK_BYTES_PER_SECOND: f64 = 450e9;
const PCIE_BYTES_PER_SECOND: f64 = 64e9;
/// What of a GPU node's cores and memory its GPUs' workloads get, all GPUs together; the
/// rest is the system's.
const WORKLOAD_SHARE: f64 = 0.9;
const SYSTEM_SHARE: f64 = 0.05;
const MB: f64 = 1e6;

/// The values of one of the spec's string enums, as the catalogue holds them.
pub(crate) fn spec_enum(schema: &str) -> Vec<&'static str> {
    Catalogue::get()
        .schema(schema)
        .and_then(|s| s.get("enum"))
        .and_then(Value::as_array)
        .map(|values| values.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// A 400 naming the parameter and the value it does not know.
pub(crate) fn unknown(parameter: &str, value: &str) -> ApiError {
    ApiError::bad_request(format!(
        "query parameter {parameter}: unknown value {value:?}"
    ))
}

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

fn hour_of(at: i64) -> i64 {
    at.div_euclid(ALLOCATION_PERIOD)
}

/// A project's GPU quota in a pool: deserved and, when set, its limit.
struct Claim {
    deserved: f64,
    limit: Option<f64>,
}

/// The first of a project's GPU quotas that names the pool.
fn claim(quotas: &[GpuQuota], pool: &NodePool) -> Option<Claim> {
    let quota = quotas.iter().find(|q| q.pool_id == pool.id)?;
    Some(Claim {
        deserved: quota.deserved,
        limit: quota.limit,
    })
}

/// The whole GPUs a project wants in a pool during one hour.
fn demand(project: &OrgUnit, pool: &NodePool, claim: &Claim, capacity: f64, hour: i64) -> u32 {
    let cap = claim.limit.map_or(capacity, |l| l.min(capacity)).floor();
    let drawn = draw(&[project.id.as_str(), pool.id.as_str(), "demand"], hour);
    // Working hours (08:00 to 20:00 UTC) are busier than nights.
    let daytime = (8..20).contains(&hour.rem_euclid(24));
    let rhythm = if daytime { 1.0 } else { 0.6 };
    let mut want = claim.deserved * (0.25 + drawn) * rhythm;
    if drawn > 0.8 {
        // A burst into over-quota, towards the limit.
        want += (cap - claim.deserved).max(0.0) * (drawn - 0.8) / 0.2 * 0.6;
    }
    want.round().clamp(0.0, cap.max(0.0)) as u32
}

/// One project's part of a pool during one hour.
struct Share {
    project: String,
    wanted: u32,
    gpus: u32,
    /// The part within its deserved quota: what no other project may take back.
    in_quota: u32,
}

/// A pool during one hour: its GPUs (node index in the store, GPU index) with the share
/// that holds each, and the projects' shares.
pub(crate) struct PoolHour {
    slots: Vec<(usize, u32, Option<usize>)>,
    shares: Vec<Share>,
    /// Each project's share, by project id.
    share_at: HashMap<String, usize>,
}

impl PoolHour {
    fn owner(&self, node: usize, index: u32) -> Option<usize> {
        self.slots
            .iter()
            .find(|(n, i, _)| *n == node && *i == index)
            .and_then(|(_, _, owner)| *owner)
    }

    fn share_of(&self, project: &str) -> Option<(usize, &Share)> {
        let at = *self.share_at.get(project)?;
        Some((at, self.shares.get(at)?))
    }

    fn allocated(&self) -> u32 {
        self.shares.iter().map(|s| s.gpus).sum()
    }
}

/// What of a pool stays the same hour after hour: its nodes (with their index in the
/// store), its GPUs and the quotas of the projects that have one in it.
struct Frame<'s> {
    pool: &'s NodePool,
    nodes: Vec<(usize, &'s Node)>,
    capacity: u32,
    claims: Vec<(&'s OrgUnit, Claim)>,
}

fn frame<'s>(store: &'s Store, pool: &'s NodePool) -> Frame<'s> {
    let nodes: Vec<(usize, &Node)> = store
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| store.pool_of_node(n).is_some_and(|p| p.id == pool.id))
        .collect();
    let capacity = nodes.iter().map(|(_, n)| n.gpu_count).sum();
    let claims = store
        .projects
        .with_gpu_quotas()
        .filter(|(p, _)| p.cluster_id == pool.cluster_id)
        .filter_map(|(p, quotas)| Some((p, claim(quotas, pool)?)))
        .collect();
    Frame {
        pool,
        nodes,
        capacity,
        claims,
    }
}

fn schedule(frame: &Frame<'_>, hour: i64) -> PoolHour {
    let (pool, nodes, capacity) = (frame.pool, &frame.nodes, frame.capacity);
    let mut shares: Vec<(Share, f64)> = frame
        .claims
        .iter()
        .map(|(p, claim)| {
            let wanted = demand(p, pool, claim, f64::from(capacity), hour);
            let share = Share {
                project: p.id.clone(),
                wanted,
                gpus: 0,
                in_quota: 0,
            };
            (share, claim.deserved.floor())
        })
        .collect();
    let mut left = capacity;
    for (share, deserved) in &mut shares {
        let give = share.wanted.min(*deserved as u32).min(left);
        share.gpus = give;
        share.in_quota = give;
        left -= give;
    }
    // Over-quota: one GPU at a time round the projects that want more (in their order,
    // going round only those that still want more).
    let mut wanting: Vec<usize> = (0..shares.len()).collect();
    while left > 0 {
        wanting.retain(|&at| shares.get(at).is_some_and(|(s, _)| s.gpus < s.wanted));
        if wanting.is_empty() {
            break;
        }
        for &at in &wanting {
            if let Some((share, _)) = shares.get_mut(at).filter(|_| left > 0) {
                share.gpus += 1;
                left -= 1;
            }
        }
    }
    let shares: Vec<Share> = shares.into_iter().map(|(s, _)| s).collect();
    let mut slots: Vec<(f64, usize, u32)> = nodes
        .iter()
        .flat_map(|(at, node)| {
            (0..node.gpu_count).map(move |i| {
                let index = i.to_string();
                let order = draw(&[node.name.as_str(), index.as_str(), "placement"], hour);
                (order, *at, i)
            })
        })
        .collect();
    slots.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let owners = shares
        .iter()
        .enumerate()
        .flat_map(|(i, s)| std::iter::repeat_n(Some(i), s.gpus as usize))
        .chain(std::iter::repeat(None));
    PoolHour {
        slots: slots
            .into_iter()
            .zip(owners)
            .map(|((_, node, index), owner)| (node, index, owner))
            .collect(),
        share_at: shares
            .iter()
            .enumerate()
            .map(|(at, share)| (share.project.clone(), at))
            .collect(),
        shares,
    }
}

/// One GPU at one instant.
#[derive(Clone, Copy)]
struct Gpu {
    allocated: bool,
    /// Percent, 0 when not allocated (and for an allocated GPU left idle).
    utilisation: f64,
    memory_used: f64,
}

/// A GPU's activity while it is allocated.
fn activity(node: &Node, index: u32, at: i64) -> (f64, f64) {
    let index = index.to_string();
    let drawn = draw(
        &[node.name.as_str(), index.as_str(), "activity"],
        at.div_euclid(ACTIVITY_PERIOD),
    );
    // One allocated GPU in ten sits idle: what IDLE_ALLOCATED_GPUS counts.
    let utilisation = if drawn < 0.1 {
        0.0
    } else {
        (30.0 + 70.0 * (drawn - 0.1) / 0.9).min(100.0)
    };
    let memory_used = node.gpu_memory_bytes as f64 * (0.2 + 0.75 * drawn);
    (utilisation, memory_used)
}

/// What some projects hold at an instant: sums over their GPUs.
#[derive(Default, Clone, Copy)]
pub(crate) struct Held {
    pub gpus: f64,
    pub gpus_in_quota: f64,
    pub wanted: f64,
    /// The sum of the held GPUs' utilisation (percent).
    pub utilisation_sum: f64,
    pub gpu_memory_used: f64,
    pub gpu_memory: f64,
    pub cores: f64,
    pub cores_in_quota: f64,
    pub memory_bytes: f64,
    pub memory_bytes_in_quota: f64,
    /// Two GPUs a workload on average; one workload a project waits with per two GPUs.
    pub workloads: f64,
    pub pending_workloads: f64,
}

impl Held {
    fn add(&mut self, other: &Held) {
        self.gpus += other.gpus;
        self.gpus_in_quota += other.gpus_in_quota;
        self.wanted += other.wanted;
        self.utilisation_sum += other.utilisation_sum;
        self.gpu_memory_used += other.gpu_memory_used;
        self.gpu_memory += other.gpu_memory;
        self.cores += other.cores;
        self.cores_in_quota += other.cores_in_quota;
        self.memory_bytes += other.memory_bytes;
        self.memory_bytes_in_quota += other.memory_bytes_in_quota;
        self.workloads += other.workloads;
        self.pending_workloads += other.pending_workloads;
    }

    /// Mean utilisation of the held GPUs, percent.
    pub fn utilisation(&self) -> f64 {
        if self.gpus > 0.0 {
            self.utilisation_sum / self.gpus
        } else {
            0.0
        }
    }
}

/// Pool hours worked out for one state of the store, kept across requests: the model is a
/// pure function of the store and the instant, so they hold until the store changes, and
/// whoever changes it clears them first (`Shared::store_mut`). Readers of the same store
/// then share one schedule per pool and hour instead of working it out from every project
/// each time.
#[derive(Default)]
pub(crate) struct UsageMemo {
    hours: Mutex<HashMap<(usize, i64), Arc<PoolHour>>>,
}

/// Pool hours a memo holds at most: the hours near now are what requests ask for again.
const MEMO_HOURS: usize = 256;

impl UsageMemo {
    fn hours(&self) -> MutexGuard<'_, HashMap<(usize, i64), Arc<PoolHour>>> {
        self.hours.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn get(&self, key: (usize, i64)) -> Option<Arc<PoolHour>> {
        self.hours().get(&key).cloned()
    }

    fn keep(&self, key: (usize, i64), hour: &Arc<PoolHour>) {
        let mut hours = self.hours();
        if hours.len() >= MEMO_HOURS {
            hours.clear();
        }
        hours.insert(key, Arc::clone(hour));
    }

    /// Forget everything: the store is about to change.
    pub fn clear(&self) {
        self.hours().clear();
    }
}

/// The model over one store, remembering each pool's hours it has worked out.
pub(crate) struct Usage<'s> {
    pub store: &'s Store,
    /// For each of the store's node pools, in order, made when a pool hour needs it.
    frames: Vec<OnceCell<Frame<'s>>>,
    /// For each of the store's nodes, the index of its pool in the store.
    pool_of_node: Vec<Option<usize>>,
    /// Each (pool index, hour) worked out so far.
    hours: RefCell<HashMap<(usize, i64), Arc<PoolHour>>>,
    /// Pool hours shared with other requests on the same store.
    memo: Option<&'s UsageMemo>,
}

impl<'s> Usage<'s> {
    pub fn new(store: &'s Store) -> Usage<'s> {
        let pool_of_node = store
            .nodes
            .iter()
            .map(|n| {
                let pool = store.pool_of_node(n)?;
                store.node_pools.iter().position(|p| std::ptr::eq(p, pool))
            })
            .collect();
        Usage {
            store,
            frames: store.node_pools.iter().map(|_| OnceCell::new()).collect(),
            pool_of_node,
            hours: RefCell::new(HashMap::new()),
            memo: None,
        }
    }

    /// The model over a store that stays as it is while `memo` is in use: pool hours come
    /// from the memo when another request worked them out, and go into it otherwise.
    pub fn remembered(store: &'s Store, memo: &'s UsageMemo) -> Usage<'s> {
        Usage {
            memo: Some(memo),
            ..Usage::new(store)
        }
    }

    fn hour(&self, pool: &NodePool, at: i64) -> Arc<PoolHour> {
        let index = self
            .store
            .node_pools
            .iter()
            .position(|p| p.id == pool.id)
            .unwrap_or(usize::MAX);
        self.pool_hour(index, at)
    }

    /// The pool's hour; an empty one for an index the store has no pool at.
    fn pool_hour(&self, index: usize, at: i64) -> Arc<PoolHour> {
        let key = (index, hour_of(at));
        if let Some(known) = self.hours.borrow().get(&key) {
            return Arc::clone(known);
        }
        if let Some(known) = self.memo.and_then(|memo| memo.get(key)) {
            self.hours.borrow_mut().insert(key, Arc::clone(&known));
            return known;
        }
        let frame = self.frames.get(index).zip(self.store.node_pools.get(index));
        let made = Arc::new(match frame {
            Some((frame, pool)) => {
                schedule(frame.get_or_init(|| self::frame(self.store, pool)), key.1)
            }
            None => PoolHour {
                slots: Vec::new(),
                shares: Vec::new(),
                share_at: HashMap::new(),
            },
        });
        self.hours.borrow_mut().insert(key, Arc::clone(&made));
        if let Some(memo) = self.memo {
            memo.keep(key, &made);
        }
        made
    }

    fn node_index(&self, node: &Node) -> Option<usize> {
        let nodes = &self.store.nodes;
        nodes
            .iter()
            .position(|n| std::ptr::eq(n, node))
            .or_else(|| nodes.iter().position(|n| n.id == node.id))
    }

    fn gpu(&self, node: &Node, index: u32, at: i64) -> Gpu {
        let owner = self.node_index(node).and_then(|at_node| {
            let pool_index = (*self.pool_of_node.get(at_node)?)?;
            self.pool_hour(pool_index, at).owner(at_node, index)
        });
        if owner.is_none() {
            return Gpu {
                allocated: false,
                utilisation: 0.0,
                memory_used: 0.0,
            };
        }
        let (utilisation, memory_used) = activity(node, index, at);
        Gpu {
            allocated: true,
            utilisation,
            memory_used,
        }
    }

    fn gpus(&self, node: &Node, at: i64) -> Vec<Gpu> {
        (0..node.gpu_count).map(|i| self.gpu(node, i, at)).collect()
    }

    /// A node's CPU side at one instant. On a GPU node, what is allocated is the system's
    /// part and each allocated GPU's share; a CPU node serves its pool's workloads, in
    /// proportion to how much of the pool is allocated. What is used stays below it.
    fn host(&self, node: &Node, at: i64) -> Host {
        let share = if node.gpu_count == 0 {
            let (held, capacity) = self.store.pool_of_node(node).map_or((0, 0), |pool| {
                let hour = self.hour(pool, at);
                (hour.allocated(), hour.slots.len())
            });
            let busy = if capacity == 0 {
                0.0
            } else {
                f64::from(held) / capacity as f64
            };
            SYSTEM_SHARE
                + WORKLOAD_SHARE
                    * busy
                    * (0.5 + 0.5 * draw(&[node.name.as_str(), "cpu-allocated"], hour_of(at)))
        } else {
            let allocated = self.gpus(node, at).iter().filter(|g| g.allocated).count();
            SYSTEM_SHARE + WORKLOAD_SHARE * allocated as f64 / f64::from(node.gpu_count)
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

    /// What one project holds in one pool at an instant.
    fn project_in_pool(&self, project: &OrgUnit, pool: &NodePool, at: i64) -> Held {
        let hour = self.hour(pool, at);
        let Some((owner, share)) = hour.share_of(&project.id) else {
            return Held::default();
        };
        let mut held = Held {
            wanted: f64::from(share.wanted),
            workloads: (f64::from(share.gpus) / 2.0).ceil(),
            pending_workloads: (f64::from(share.wanted - share.gpus) / 2.0).ceil(),
            ..Held::default()
        };
        let in_quota = share.in_quota;
        for (count, (node, index, _)) in hour
            .slots
            .iter()
            .filter(|(_, _, o)| *o == Some(owner))
            .enumerate()
        {
            let Some(node) = self.store.nodes.get(*node) else {
                continue;
            };
            let (utilisation, memory_used) = activity(node, *index, at);
            let (cores, memory) = gpu_host_share(node);
            held.gpus += 1.0;
            held.utilisation_sum += utilisation;
            held.gpu_memory_used += memory_used;
            held.gpu_memory += node.gpu_memory_bytes as f64;
            held.cores += cores;
            held.memory_bytes += memory;
            if (count as u32) < in_quota {
                held.gpus_in_quota += 1.0;
                held.cores_in_quota += cores;
                held.memory_bytes_in_quota += memory;
            }
        }
        held
    }

    /// The projects a unit stands for: a project itself, a department its projects.
    fn projects_of(&self, unit: &'s OrgUnit) -> Vec<&'s OrgUnit> {
        if unit.parent_id.is_some() {
            vec![unit]
        } else {
            self.store.projects_of(&unit.id).collect()
        }
    }

    /// What some departments or projects hold in the given pools at an instant.
    pub fn held(&self, units: &[&'s OrgUnit], pools: &[&NodePool], at: i64) -> Held {
        let mut total = Held::default();
        for unit in units {
            for project in self.projects_of(unit) {
                for pool in pools {
                    total.add(&self.project_in_pool(project, pool, at));
                }
            }
        }
        total
    }

    /// What a project held in a pool from `from` to `to` (Unix seconds), integrated hour
    /// by hour: GPU hours, utilisation times GPU hours, core hours and byte hours. Each
    /// hour's utilisation is sampled at its middle; a window longer than `MAX_HOURS`
    /// samples every so many hours and weighs each sample for them all.
    pub fn over(&self, project: &'s OrgUnit, pool: &NodePool, from: i64, to: i64) -> Held {
        const MAX_HOURS: i64 = 24 * 400;
        let first = hour_of(from);
        let last = hour_of(to - 1);
        let stride = ((last - first + 1) / MAX_HOURS).max(1);
        let mut total = Held::default();
        let mut hour = first;
        while hour <= last {
            let start = (hour * ALLOCATION_PERIOD).max(from);
            let end = ((hour + stride) * ALLOCATION_PERIOD).min(to);
            let weight = (end - start).max(0) as f64 / ALLOCATION_PERIOD as f64;
            let middle = hour * ALLOCATION_PERIOD + ALLOCATION_PERIOD / 2;
            let now = self.project_in_pool(project, pool, middle);
            total.gpus += now.gpus * weight;
            total.utilisation_sum += now.utilisation_sum * weight;
            total.cores += now.cores * weight;
            total.memory_bytes += now.memory_bytes * weight;
            hour += stride;
        }
        total
    }
}

/// The cores and memory bytes one GPU of the node brings its workload: whole millicores
/// and megabytes, so that sums of shares are exact.
fn gpu_host_share(node: &Node) -> (f64, f64) {
    let gpus = f64::from(node.gpu_count.max(1));
    let cores = (f64::from(node.cpu_cores) * WORKLOAD_SHARE / gpus * 1000.0).floor() / 1000.0;
    let memory = (node.memory_bytes as f64 * WORKLOAD_SHARE / gpus / MB).floor() * MB;
    (cores, memory)
}

impl<'s> Usage<'s> {
    /// What a GPU of the pool brings on average (cores, bytes), to whole millicores and
    /// megabytes: what a pending GPU requests besides itself.
    fn pool_gpu_share(&self, pool: &NodePool) -> (f64, f64) {
        let (mut gpus, mut cores, mut memory) = (0.0, 0.0, 0.0);
        for node in self
            .nodes_of(&[pool])
            .into_iter()
            .filter(|n| n.gpu_count > 0)
        {
            let (c, m) = gpu_host_share(node);
            let count = f64::from(node.gpu_count);
            gpus += count;
            cores += c * count;
            memory += m * count;
        }
        if gpus == 0.0 {
            return (0.0, 0.0);
        }
        (
            (cores / gpus * 1000.0).floor() / 1000.0,
            (memory / gpus / MB).floor() * MB,
        )
    }

    /// A project's status figures in one pool at an instant: what it holds (all of it,
    /// and the part within its deserved quota) and what it wants, in GPUs, millicores
    /// and MB. Each pending GPU requests the pool's average share of cores and memory.
    fn pool_figures(&self, project: &OrgUnit, pool: &NodePool, at: i64) -> QuotaFigures {
        let held = self.project_in_pool(project, pool, at);
        let amounts = |gpus: f64, cores: f64, bytes: f64| Amounts {
            gpu: gpus,
            cpu: (cores * 1000.0).round(),
            memory: (bytes / MB).round(),
        };
        let allocated = amounts(held.gpus, held.cores, held.memory_bytes);
        let pending = (held.wanted - held.gpus).max(0.0);
        let (cores, bytes) = if pending > 0.0 {
            self.pool_gpu_share(pool)
        } else {
            (0.0, 0.0)
        };
        let extra = amounts(pending, pending * cores, pending * bytes);
        QuotaFigures {
            allocated,
            non_preemptible: amounts(
                held.gpus_in_quota,
                held.cores_in_quota,
                held.memory_bytes_in_quota,
            ),
            requested: Amounts {
                gpu: allocated.gpu + extra.gpu,
                cpu: allocated.cpu + extra.cpu,
                memory: allocated.memory + extra.memory,
            },
        }
    }

    /// A department's or project's status at an instant: per node pool its quota names
    /// (a department's, then those only its projects name), what the project holds and
    /// wants, or a department's projects together.
    pub fn unit_status(&self, unit: &OrgUnit, at: i64) -> UnitStatus {
        let projects: Vec<&OrgUnit> = if unit.parent_id.is_some() {
            vec![unit]
        } else {
            self.store.projects_of(&unit.id).collect()
        };
        let mut named: Vec<(&str, &str)> = Vec::new();
        // A project stands for itself: its own quota is read once, not again as one of
        // "its projects".
        let others = projects.iter().filter(|p| !std::ptr::eq(**p, unit));
        for entry in unit
            .resources
            .iter()
            .chain(others.flat_map(|p| p.resources.iter()))
        {
            let (id, name) = pool_of(entry);
            if !named.iter().any(|(known, _)| *known == id) {
                named.push((id, name));
            }
        }
        let mut status = UnitStatus::default();
        for (id, name) in named {
            let mut figures = QuotaFigures::default();
            if let Some(pool) = self.store.node_pools.iter().find(|p| p.id == id) {
                for project in &projects {
                    figures.add(&self.pool_figures(project, pool, at));
                }
            }
            status.total.add(&figures);
            status
                .pools
                .push((id.to_string(), name.to_string(), figures));
        }
        status
    }

    /// Each unit's status now, from this one model: for the answers of one request.
    pub fn status_now(&self) -> impl Fn(&OrgUnit) -> UnitStatus + use<'_, 's> {
        let at = time::OffsetDateTime::now_utc().unix_timestamp();
        move |unit| self.unit_status(unit, at)
    }
}

/// A node's CPU side at one instant: cores used and allocated, memory used and allocated
/// (bytes).
struct Host {
    cores_used: f64,
    cores_allocated: f64,
    memory_used: f64,
    memory_allocated: f64,
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

/// What the department quotas give the pool, in GPUs.
fn pool_quota(store: &Store, pool: &NodePool) -> f64 {
    store
        .departments
        .iter()
        .map(|d| deserved_gpus(&d.resources, &pool.id))
        .sum()
}

/// The sum of one resource kind's `deserved` over some stored `Resources` entries: GPUs,
/// CPU as stored (millicores, the unit of `Resources.cpu`), memory in MB (`mb`) or MiB.
pub(crate) fn deserved_sum<'v>(
    entries: impl Iterator<Item = &'v Value>,
    kind: &str,
    mb: bool,
) -> f64 {
    entries
        .filter_map(|r| {
            let resource = r.get(kind)?;
            let value = resource.get("deserved").and_then(Value::as_f64)?;
            Some(if kind == "memory" {
                let units = resource
                    .get("units")
                    .and_then(Value::as_str)
                    .unwrap_or("MB");
                memory_out(value, units, mb)
            } else {
                value
            })
        })
        // From +0.0: an empty float `sum()` is -0.0.
        .fold(0.0, |a, b| a + b)
}

/// One resource kind's deserved quota of a unit over some pools, memory in MB.
fn unit_quota(unit: &OrgUnit, pools: &[&NodePool], kind: &str) -> f64 {
    let in_pools = unit
        .resources
        .iter()
        .filter(|r| pools.iter().any(|p| pool_of(r).0 == p.id));
    deserved_sum(in_pools, kind, true)
}

const DISTRIBUTION: [(&str, f64, f64); 4] = [
    ("0-25", 0.0, 25.0),
    ("25-50", 25.0, 50.0),
    ("50-75", 50.0, 75.0),
    ("75-100", 75.0, 100.1),
];

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

/// A `GroupedMeasurementResponse`: the measurement with the group it is of.
fn grouped(mut item: Value, key: &str, value: &str) -> Value {
    if let Value::Object(map) = &mut item {
        map.insert("groups".into(), json!([{"key": key, "value": value}]));
    }
    item
}

fn labels(pairs: &[(&str, String)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), Value::String(v.clone())))
        .collect()
}

impl<'s> Usage<'s> {
    /// Seconds since the GPU last did something, within its current hour.
    fn idle_seconds(&self, node: &Node, index: u32, at: i64) -> f64 {
        if self.gpu(node, index, at).utilisation > 0.0 {
            return 0.0;
        }
        let mut since = at;
        let hour = hour_of(at) * ALLOCATION_PERIOD;
        while since - ACTIVITY_PERIOD >= hour
            && self.gpu(node, index, since - ACTIVITY_PERIOD).utilisation == 0.0
        {
            since -= ACTIVITY_PERIOD;
        }
        let start = since.div_euclid(ACTIVITY_PERIOD) * ACTIVITY_PERIOD;
        (at - start) as f64
    }

    /// The value of a per-GPU node metric for one GPU.
    fn per_gpu(&self, node: &Node, metric: &str, index: u32, at: i64) -> f64 {
        let g = self.gpu(node, index, at);
        let memory = node.gpu_memory_bytes as f64;
        // The engines' activity is a share of the GPU's utilisation, fixed per engine.
        let engine =
            |name: &str| g.utilisation * (0.3 + 0.7 * draw(&[node.name.as_str(), name], 0));
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
            "GPU_IDLE_TIME_SECONDS_PER_GPU" => self.idle_seconds(node, index, at),
            "GPU_OOMKILL_BURST_COUNT_PER_GPU" => oom("oom-burst"),
            "GPU_OOMKILL_IDLE_COUNT_PER_GPU" => oom("oom-idle"),
            "GPU_OOMKILL_SWAP_OUT_OF_RAM_COUNT_PER_GPU" => oom("oom-swap"),
            "GPU_NVLINK_TRANSMITTED_BANDWIDTH_PER_GPU" if nvlink => {
                link("nvlink-tx", NVLINK_BYTES_PER_SECOND).round()
            }
            "GPU_NVLINK_RECEIVED_BANDWIDTH_PER_GPU" if nvlink => {
                link("nvlink-rx", NVLINK_BYTES_PER_SECOND).round()
            }
            "NVLINK_BANDWIDTH_TOTAL_PER_GPU" if nvlink => {
                (link("nvlink-tx", NVLINK_BYTES_PER_SECOND)
                    + link("nvlink-rx", NVLINK_BYTES_PER_SECOND))
                .round()
            }
            "GPU_NVLINK_TRANSMITTED_BANDWIDTH_PER_GPU"
            | "GPU_NVLINK_RECEIVED_BANDWIDTH_PER_GPU"
            | "NVLINK_BANDWIDTH_TOTAL_PER_GPU" => 0.0,
            "GPU_PCIE_TRANSMITTED_BANDWIDTH_PER_GPU" => {
                link("pcie-tx", PCIE_BYTES_PER_SECOND).round()
            }
            "GPU_PCIE_RECEIVED_BANDWIDTH_PER_GPU" => link("pcie-rx", PCIE_BYTES_PER_SECOND).round(),
            // The engine activities and the memory bandwidth: percentages below utilisation.
            other => engine(other),
        }
    }

    /// The value of a whole-node metric.
    fn node_value(&self, node: &Node, metric: &str, at: i64) -> f64 {
        let now = self.gpus(node, at);
        let h = self.host(node, at);
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
                .map(|i| self.per_gpu(node, "NVLINK_BANDWIDTH_TOTAL_PER_GPU", i, at))
                .sum(),
        }
    }

    fn nodes_of(&self, pools: &[&NodePool]) -> Vec<&'s Node> {
        let store = self.store;
        store
            .nodes
            .iter()
            .filter(|n| {
                store
                    .pool_of_node(n)
                    .is_some_and(|p| pools.iter().any(|q| q.id == p.id))
            })
            .collect()
    }

    /// A `MetricsType` value of some pools seen together: one pool, or a cluster's.
    fn pools_value(&self, pools: &[&NodePool], name: &str, metric: &str, at: i64) -> f64 {
        let nodes = self.nodes_of(pools);
        let all: Vec<Gpu> = nodes.iter().flat_map(|n| self.gpus(n, at)).collect();
        let total = all.len() as f64;
        let allocated = all.iter().filter(|g| g.allocated).count() as f64;
        let hosts: Vec<(Host, &Node)> = nodes.iter().map(|n| (self.host(n, at), *n)).collect();
        match metric {
            "TOTAL_GPU_NODES" => nodes.iter().filter(|n| n.gpu_count > 0).count() as f64,
            "TOTAL_GPU" => total,
            "ALLOCATED_GPU" => allocated,
            "UNALLOCATED_GPU" => total - allocated,
            "GPU_QUOTA" => pools.iter().map(|p| pool_quota(self.store, p)).sum(),
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
            "WORKLOADS_COUNT" => pools
                .iter()
                .flat_map(|p| {
                    self.hour(p, at)
                        .shares
                        .iter()
                        .map(|s| (f64::from(s.gpus) / 2.0).ceil())
                        .collect::<Vec<_>>()
                })
                .sum(),
            "AVG_WORKLOAD_WAIT_TIME" if allocated > 0.0 => {
                (30.0 + 570.0 * draw(&[name, "wait"], at.div_euclid(ACTIVITY_PERIOD))).round()
            }
            _ => 0.0,
        }
    }

    /// One pool's or a cluster's `MetricsType` measurements: one per utilisation range
    /// (`labels.range`) for the GPU utilisation distribution, else one.
    fn pools_series(
        &self,
        pools: &[&NodePool],
        name: &str,
        metric: &str,
        instants: &[i64],
    ) -> Vec<Value> {
        if metric == "GPU_UTILIZATION_DISTRIBUTION" {
            let nodes = self.nodes_of(pools);
            return DISTRIBUTION
                .iter()
                .map(|(range, low, high)| {
                    let tags = labels(&[("range", (*range).to_string())]);
                    measurement(metric, Some(tags), instants, |at| {
                        nodes
                            .iter()
                            .flat_map(|n| self.gpus(n, at))
                            .filter(|g| g.utilisation >= *low && g.utilisation < *high)
                            .count() as f64
                    })
                })
                .collect();
        }
        vec![measurement(metric, None, instants, |at| {
            self.pools_value(pools, name, metric, at)
        })]
    }

    /// The `MeasurementResponse`s of one metric of a node or node pool at the given
    /// instants: one for a whole-object metric, one per GPU (`labels.gpu`) for a per-GPU
    /// node metric. A metric the object's kind does not have is a 400 naming it.
    pub fn series(
        &self,
        measured: Measured<'_>,
        metric: &str,
        instants: &[i64],
    ) -> Result<Vec<Value>, ApiError> {
        match measured {
            Measured::Node(node) => {
                if !spec_enum("NodeMetricType").contains(&metric) {
                    return Err(unknown("metricType", metric));
                }
                if metric.ends_with("_PER_GPU") {
                    return Ok((0..node.gpu_count)
                        .map(|i| {
                            let tags =
                                labels(&[("gpu", i.to_string()), ("node", node.name.clone())]);
                            measurement(metric, Some(tags), instants, |at| {
                                self.per_gpu(node, metric, i, at)
                            })
                        })
                        .collect());
                }
                Ok(vec![measurement(metric, None, instants, |at| {
                    self.node_value(node, metric, at)
                })])
            }
            Measured::NodePool(pool) => {
                if !spec_enum("MetricsType").contains(&metric) {
                    return Err(unknown("metricType", metric));
                }
                Ok(self.pools_series(&[pool], &pool.name, metric, instants))
            }
        }
    }

    /// A cluster's `GroupedMeasurementResponse`s of one metric over the given pools (the
    /// cluster's, or the one `nodepoolName` names). `Nodepool` gives one series per pool;
    /// `Project` and `Department` one per unit for the metrics a unit has (allocated GPUs,
    /// quota, GPU utilisation and workloads), the whole cluster's for the others; any
    /// other grouping, the whole cluster's.
    pub fn cluster_series(
        &self,
        pools: &[&NodePool],
        name: &str,
        metric: &str,
        group_by: Option<&str>,
        instants: &[i64],
    ) -> Result<Vec<Value>, ApiError> {
        if !spec_enum("MetricsType").contains(&metric) {
            return Err(unknown("metricType", metric));
        }
        let per_unit = matches!(
            metric,
            "ALLOCATED_GPU" | "GPU_QUOTA" | "GPU_UTILIZATION" | "WORKLOADS_COUNT"
        );
        let cluster = pools
            .first()
            .map(|p| p.cluster_id.as_str())
            .unwrap_or_default();
        let units: Vec<&OrgUnit> = match group_by {
            Some("Project") if per_unit => self.store.projects.iter().collect(),
            Some("Department") if per_unit => self.store.departments.iter().collect(),
            Some("Nodepool") => {
                return Ok(pools
                    .iter()
                    .flat_map(|p| {
                        self.pools_series(&[p], &p.name, metric, instants)
                            .into_iter()
                            .map(|m| grouped(m, "Nodepool", &p.name))
                    })
                    .collect())
            }
            _ => return Ok(self.pools_series(pools, name, metric, instants)),
        };
        let key = group_by.unwrap_or_default();
        Ok(units
            .into_iter()
            .filter(|u| u.cluster_id == cluster)
            .map(|unit| {
                let item = measurement(metric, None, instants, |at| {
                    let held = self.held(&[unit], pools, at);
                    match metric {
                        "ALLOCATED_GPU" => held.gpus,
                        "GPU_QUOTA" => unit_quota(unit, pools, "gpu"),
                        "GPU_UTILIZATION" => held.utilisation(),
                        _ => held.workloads,
                    }
                });
                grouped(item, key, &unit.name)
            })
            .collect())
    }

    /// An `OrgUnitMetricType` value of a department or project over some pools.
    fn unit_value(&self, unit: &'s OrgUnit, pools: &[&NodePool], metric: &str, at: i64) -> f64 {
        let held = || self.held(&[unit], pools, at);
        match metric {
            "GPU_QUOTA" => unit_quota(unit, pools, "gpu"),
            "CPU_QUOTA_MILLICORES" => unit_quota(unit, pools, "cpu"),
            "CPU_MEMORY_QUOTA_MB" => unit_quota(unit, pools, "memory"),
            "GPU_ALLOCATION" => held().gpus,
            "CPU_ALLOCATION_MILLICORES" => (held().cores * 1000.0).round(),
            "CPU_MEMORY_ALLOCATION_MB" => (held().memory_bytes / MB).round(),
            // GPU_MEMORY_UTILIZATION: of the memory of the GPUs it holds.
            _ => {
                let held = held();
                percent(held.gpu_memory_used, held.gpu_memory)
            }
        }
    }

    /// A department's or project's `MeasurementResponse` of one metric.
    pub fn unit_series(
        &self,
        unit: &'s OrgUnit,
        pools: &[&NodePool],
        metric: &str,
        instants: &[i64],
    ) -> Result<Value, ApiError> {
        if !spec_enum("OrgUnitMetricType").contains(&metric) {
            return Err(unknown("metricType", metric));
        }
        Ok(measurement(metric, None, instants, |at| {
            self.unit_value(unit, pools, metric, at)
        }))
    }

    /// A department's or project's share of an `OrgUnitTelemetryType` at an instant:
    /// GPUs, CPU millicores, memory in MB.
    pub fn unit_telemetry(
        &self,
        unit: &'s OrgUnit,
        pools: &[&NodePool],
        kind: &str,
        at: i64,
    ) -> f64 {
        let held = || self.held(&[unit], pools, at);
        match kind {
            "GPU_QUOTA" => unit_quota(unit, pools, "gpu"),
            "CPU_QUOTA" => unit_quota(unit, pools, "cpu"),
            "MEMORY_QUOTA" => unit_quota(unit, pools, "memory"),
            "GPU_ALLOCATION" => held().gpus,
            "CPU_ALLOCATION" => (held().cores * 1000.0).round(),
            "MEMORY_ALLOCATION" => (held().memory_bytes / MB).round(),
            "GPU_ALLOCATION_NON_PREEMPTIBLE" => held().gpus_in_quota,
            "CPU_ALLOCATION_NON_PREEMPTIBLE" => (held().cores_in_quota * 1000.0).round(),
            // MEMORY_ALLOCATION_NON_PREEMPTIBLE
            _ => (held().memory_bytes_in_quota / MB).round(),
        }
    }

    /// One node's share of a telemetry type at an instant.
    pub fn telemetry_value(&self, node: &Node, kind: &str, at: i64) -> f64 {
        let now = self.gpus(node, at);
        let h = self.host(node, at);
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
}

/// A telemetry value as text.
pub(crate) fn telemetry_text(value: f64) -> String {
    text(value)
}

/// The seeded tenant with projects in its default department, each with the given GPU
/// quota in the default pool.
#[cfg(test)]
pub(crate) fn seeded_with_projects(projects: &[(&str, Value)]) -> Store {
    let (mut store, cluster) = crate::seed::tenant();
    let department = store
        .default_department(&cluster)
        .map(|d| d.id.clone())
        .unwrap_or_default();
    let pool = store
        .default_node_pool(&cluster)
        .map(|p| p.id.clone())
        .unwrap_or_default();
    for (name, gpu) in projects {
        let resources = vec![json!({"nodePool": {"id": pool, "name": "default"}, "gpu": gpu})];
        let project = store.new_org_unit(
            (*name).into(),
            cluster.clone(),
            Some(department.clone()),
            resources,
            Default::default(),
            "t",
        );
        store.projects.push(project);
    }
    store
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seeded tenant with three projects in the default pool (8 GPUs): deserved 2
    /// with limit 3, deserved 4 without a limit, deserved 0.5 with limit 1.
    fn store() -> Store {
        seeded_with_projects(&[
            ("capped", json!({"deserved": 2, "limit": 3})),
            ("open", json!({"deserved": 4})),
            ("small", json!({"deserved": 0.5, "limit": 1})),
        ])
    }

    #[test]
    fn pools_grant_within_limits_and_capacity_and_place_what_they_grant() {
        let store = store();
        let usage = Usage::new(&store);
        let pool = store.node_pools.first().expect("the default pool");
        let limits = [3, 8, 1];
        let mut busiest = 0;
        for hour in 0..2000 {
            let now = usage.hour(pool, hour * ALLOCATION_PERIOD);
            let granted: Vec<u32> = now.shares.iter().map(|s| s.gpus).collect();
            assert_eq!(granted.len(), 3);
            for (gpus, limit) in granted.iter().zip(limits) {
                assert!(*gpus <= limit, "hour {hour}: {granted:?}");
            }
            for share in &now.shares {
                assert!(share.in_quota <= share.gpus && share.gpus <= share.wanted);
            }
            let placed = now.slots.iter().filter(|(_, _, o)| o.is_some()).count();
            assert_eq!(placed as u32, now.allocated());
            assert!(now.allocated() <= 8 && now.slots.len() == 8);
            busiest = busiest.max(now.allocated());
        }
        // Over two thousand hours the projects fill the pool at times.
        assert_eq!(busiest, 8);
    }

    #[test]
    fn a_status_shows_what_is_held_and_wanted_and_a_department_its_projects() {
        let store = store();
        let usage = Usage::new(&store);
        let pools: Vec<&NodePool> = store.node_pools.iter().collect();
        let department = store.departments.first().expect("the default department");
        let (mut pending, mut over_quota) = (false, false);
        for at in (0..500).map(|h| h * ALLOCATION_PERIOD + 60) {
            let mut summed = QuotaFigures::default();
            for project in store.projects.iter() {
                let status = usage.unit_status(project, at);
                let held = usage.held(&[project], &pools, at);
                let total = status.total;
                assert_eq!(total.allocated.gpu, held.gpus);
                assert_eq!(total.allocated.cpu, (held.cores * 1000.0).round());
                assert_eq!(total.non_preemptible.gpu, held.gpus_in_quota);
                assert_eq!(total.requested.gpu, held.wanted);
                let (a, n, r) = (total.allocated, total.non_preemptible, total.requested);
                for (n, a, r) in [
                    (n.gpu, a.gpu, r.gpu),
                    (n.cpu, a.cpu, r.cpu),
                    (n.memory, a.memory, r.memory),
                ] {
                    assert!(n <= a && a <= r, "at {at}: {total:?}");
                }
                pending |= r.cpu > a.cpu;
                over_quota |= n.gpu < a.gpu;
                summed.add(&total);
            }
            assert_eq!(usage.unit_status(department, at).total, summed, "at {at}");
        }
        assert!(pending && over_quota);
    }

    #[test]
    fn nodes_carry_what_the_projects_hold_and_repeat() {
        let store = store();
        let usage = Usage::new(&store);
        let again = Usage::new(&store);
        let pools: Vec<&NodePool> = store.node_pools.iter().collect();
        let units: Vec<&OrgUnit> = store.projects.iter().collect();
        for at in (0..200).map(|h| h * 1800 + 7) {
            let held = usage.held(&units, &pools, at);
            let on_nodes: f64 = store
                .nodes
                .iter()
                .map(|n| usage.telemetry_value(n, "ALLOCATED_GPUS", at))
                .sum();
            assert_eq!(held.gpus, on_nodes, "at {at}");
            assert!((0.0..=100.0).contains(&held.utilisation()));
            let same = again.held(&units, &pools, at);
            assert_eq!(
                (held.gpus, held.utilisation_sum),
                (same.gpus, same.utilisation_sum)
            );
        }
    }
}
