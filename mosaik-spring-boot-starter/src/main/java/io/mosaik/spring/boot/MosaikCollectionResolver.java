package io.mosaik.spring.boot;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.BeanDefinitionHolder;
import org.springframework.beans.factory.config.DependencyDescriptor;
import org.springframework.beans.factory.support.AutowireCandidateResolver;

/**
 * The bean factory's candidate resolver with {@link MosaikCollection} injection points answered first,
 * the way {@code @Value} ones are (a suggested value); everything else goes to the resolver it wraps.
 * {@link MosaikCollectionBeans} installs it.
 */
final class MosaikCollectionResolver implements AutowireCandidateResolver, BeanFactoryAware {

    private final AutowireCandidateResolver delegate;
    private final AnnotatedCollections collections;

    MosaikCollectionResolver(AutowireCandidateResolver delegate, AnnotatedCollections collections) {
        this.delegate = delegate;
        this.collections = collections;
    }

    @Override
    public Object getSuggestedValue(DependencyDescriptor descriptor) {
        MosaikCollection annotation = AnnotatedCollections.annotationOf(descriptor);
        return annotation != null ? collections.resolve(annotation, descriptor)
                : delegate.getSuggestedValue(descriptor);
    }

    @Override
    public boolean isAutowireCandidate(BeanDefinitionHolder bdHolder, DependencyDescriptor descriptor) {
        return delegate.isAutowireCandidate(bdHolder, descriptor);
    }

    @Override
    public boolean isRequired(DependencyDescriptor descriptor) {
        return delegate.isRequired(descriptor);
    }

    @Override
    public boolean hasQualifier(DependencyDescriptor descriptor) {
        return delegate.hasQualifier(descriptor);
    }

    @Override
    public String getSuggestedName(DependencyDescriptor descriptor) {
        return delegate.getSuggestedName(descriptor);
    }

    @Override
    public Object getLazyResolutionProxyIfNecessary(DependencyDescriptor descriptor, String beanName) {
        return delegate.getLazyResolutionProxyIfNecessary(descriptor, beanName);
    }

    @Override
    public Class<?> getLazyResolutionProxyClass(DependencyDescriptor descriptor, String beanName) {
        return delegate.getLazyResolutionProxyClass(descriptor, beanName);
    }

    @Override
    public AutowireCandidateResolver cloneIfNecessary() {
        return new MosaikCollectionResolver(delegate.cloneIfNecessary(), collections);
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        if (delegate instanceof BeanFactoryAware aware) {
            aware.setBeanFactory(beanFactory);
        }
    }
}
