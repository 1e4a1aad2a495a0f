package io.mosaik.actuator;

import io.mosaik.groups.Group;
import io.mosaik.groups.GroupId;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.beans.factory.ListableBeanFactory;

/**
 * The names groups go by in the actuator: the bean name of each {@link Group} bean of the context, which
 * for a group declared under {@code mosaik.groups.<name>} is {@code <name>}. Looked up on every call, so
 * a group joined later shows with its name too.
 */
final class GroupBeanNames implements Supplier<Map<GroupId, String>> {

    private final ListableBeanFactory beans;

    GroupBeanNames(ListableBeanFactory beans) {
        this.beans = beans;
    }

    /** The name of every group that is a bean, by group id; the first bean name if two hold one group. */
    @Override
    @SuppressWarnings("rawtypes")
    public Map<GroupId, String> get() {
        Map<GroupId, String> names = new HashMap<>();
        // singletons only: asking for a prototype-scoped Group would join the group again on every call
        Map<String, Group> groups = beans.getBeansOfType(Group.class, false, false);
        groups.forEach((name, group) -> names.putIfAbsent(group.id(), name));
        return names;
    }
}
