package io.mosaik.spring.boot;

import io.mosaik.collections.CollectionKind;
import io.mosaik.collections.CollectionRole;
import java.lang.annotation.Annotation;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.springframework.beans.factory.ObjectFactory;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Finds the names that the beans of a factory take as a collection writer with {@link MosaikCollection},
 * before those beans are created: on fields, constructor and method parameters of the bean classes, and
 * on the parameters of {@code @Bean} methods. A node that writes a collection must open it as a writer
 * first, or it joins the collection's group as an observer for good; bean creation order cannot promise
 * that, this look-ahead can. A bean whose class cannot be known before it is created (a {@code @Bean}
 * method declaring an interface) is missed: a writer seen only then is opened after the reader, as the
 * engine allows.
 */
final class WriterInjectionPoints {

    private WriterInjectionPoints() {
    }

    /** The names taken as writers, by every bean whose class can be looked at. */
    static Set<String> names(ConfigurableListableBeanFactory factory) {
        Set<String> names = new HashSet<>();
        for (String bean : factory.getBeanDefinitionNames()) {
            try {
                Class<?> type = factory.getType(bean, false);
                if (type != null) {
                    collect(ClassUtils.getUserClass(type), names);
                }
                BeanDefinition definition = factory.getMergedBeanDefinition(bean);
                String factoryMethod = definition.getFactoryMethodName();
                Class<?> factoryClass = definition.getFactoryBeanName() != null
                        ? factory.getType(definition.getFactoryBeanName(), false)
                        : definition instanceof AbstractBeanDefinition abstractDefinition
                        && abstractDefinition.hasBeanClass() ? abstractDefinition.getBeanClass() : null;
                if (factoryMethod != null && factoryClass != null) {
                    Class<?> declaring = ClassUtils.getUserClass(factoryClass);
                    for (Method method : ReflectionUtils.getUniqueDeclaredMethods(declaring)) {
                        if (method.getName().equals(factoryMethod)) {
                            collectParameters(method, names);
                        }
                    }
                }
            } catch (RuntimeException | LinkageError e) {
                // a bean that cannot be looked at before its creation: nothing to learn from it here
            }
        }
        return names;
    }

    private static void collect(Class<?> type, Set<String> names) {
        ReflectionUtils.doWithFields(type, field ->
                collect(field.getAnnotations(), null, ResolvableType.forField(field), names));
        for (Executable constructor : type.getDeclaredConstructors()) {
            collectParameters(constructor, names);
        }
        ReflectionUtils.doWithMethods(type, method -> collectParameters(method, names));
    }

    private static void collectParameters(Executable executable, Set<String> names) {
        for (int i = 0; i < executable.getParameterCount(); i++) {
            MethodParameter parameter = MethodParameter.forExecutable(executable, i);
            collect(parameter.getParameterAnnotations(), executable, ResolvableType.forMethodParameter(parameter),
                    names);
        }
    }

    private static void collect(Annotation[] annotations, Executable executable, ResolvableType type,
                                Set<String> names) {
        MosaikCollection annotation = AnnotatedCollections.annotationOf(annotations, executable);
        if (annotation == null) {
            return;
        }
        while (type.resolve() == Optional.class || type.resolve() != null
                && ObjectFactory.class.isAssignableFrom(type.resolve())) {
            type = type.getGeneric(0);
        }
        for (CollectionKind kind : CollectionKind.values()) {
            if (MosaikCollectionBeans.interfaceOf(kind, CollectionRole.WRITER) == type.resolve()) {
                names.add(annotation.value().strip());
            }
        }
    }
}
