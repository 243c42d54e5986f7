from dispatch.routing.router import ROUTER_VERSION, Candidate, RoutingAnswer, route

__all__ = ["ROUTER_VERSION", "Candidate", "RoutingAnswer", "route"]
