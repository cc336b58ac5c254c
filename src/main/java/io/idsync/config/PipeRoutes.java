package io.idsync.config;

import org.apache.camel.model.RouteDefinition;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks the route files against the configured pipes before anything polls: an enabled pipe needs its
 * routes (a pipe file instantiating the road), and a pipe file must name a configured pipe. A pipe file is
 * recognised by the road templates it instantiates: their routes carry the {@code pipe} parameter.
 */
final class PipeRoutes {

    private PipeRoutes() {
    }

    static List<String> problems(Collection<RouteDefinition> routes, List<PipeSettings> pipes) {
        Set<String> routeIds = new TreeSet<>();
        Set<String> configured = new TreeSet<>();
        pipes.forEach(pipe -> configured.add(pipe.name()));
        List<String> problems = new ArrayList<>();
        for (RouteDefinition route : routes) {
            routeIds.add(route.getRouteId());
            Object pipe = route.getTemplateParameters() == null ? null : route.getTemplateParameters().get("pipe");
            if (pipe != null && !configured.contains(pipe.toString()) && routeIds.add("reported:" + pipe)) {
                problems.add("route " + route.getRouteId() + " belongs to pipe '" + pipe + "', which is not configured: set idsync.pipes." + pipe + ".source and .destination,"
                        + " or idsync.pipes." + pipe + ".enabled=false");
            }
        }
        for (PipeSettings pipe : pipes) {
            if (pipe.built() && (!routeIds.contains(pipe.name() + "-poll") || !routeIds.contains(pipe.name()))) {
                problems.add("pipe '" + pipe.name() + "' is enabled but has no routes " + pipe.name() + "-poll and " + pipe.name()
                        + ": add routes/" + pipe.name() + ".yaml (or config/routes/" + pipe.name() + ".yaml) instantiating the road,"
                        + " or set idsync.pipes." + pipe.name() + ".enabled=false");
            }
        }
        return problems;
    }
}
