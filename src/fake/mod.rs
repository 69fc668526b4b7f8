//! The fake control plane (being written).
