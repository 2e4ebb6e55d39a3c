"""Graph stage: an Inventory → the network graph (VPCs, subnets, routes, endpoints, groups, workloads)."""
