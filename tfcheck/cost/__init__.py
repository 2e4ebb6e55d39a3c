"""Cost: what a VPC's NAT gateways and endpoints cost, read off the graph, and the what-if."""
