package io.mosaik.spring.boot;

import io.mosaik.groups.GroupBuilder;

/**
 * Adjusts the {@link GroupBuilder} of a group declared under {@code mosaik.groups.<name>}, after the
 * properties were applied and before the group is joined, for settings that have no property or that
 * come from code (a log storage of your own, a consensus setting computed at start-up). Every bean of this
 * type is applied to every declared group, in {@link org.springframework.core.annotation.Order} order;
 * look at the name to adjust one group only.
 *
 * <pre>{@code
 * @Bean
 * MosaikGroupCustomizer ordersObserveOnly() {
 *     return (name, builder) -> {
 *         if (name.equals("orders")) {
 *             builder.leadershipPreference(LeadershipPreference.OBSERVER);
 *         }
 *     };
 * }
 * }</pre>
 */
@FunctionalInterface
public interface MosaikGroupCustomizer {

    /**
     * Customizes the builder of one group.
     *
     * @param name    the group's name, which is also its bean name
     * @param builder the builder, already configured from the properties
     */
    void customize(String name, GroupBuilder<?, ?, ?> builder);
}
