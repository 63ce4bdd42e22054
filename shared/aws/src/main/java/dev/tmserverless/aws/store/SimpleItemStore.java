package dev.tmserverless.aws.store;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The shape of a store of small reference items that only administrators write and everybody reads whole (a
 * {@link SmallCollection}: one partition, ids from a counter, one Query for the list): create, replace, delete, get,
 * all. A subclass names its partition and says how its record becomes an item's attributes and back.
 *
 * @param <T> the record the store keeps
 */
public abstract class SimpleItemStore<T> {
    final SmallCollection items;

    SimpleItemStore(SmallCollection items) {
        this.items = items;
    }

    /** The record's id. */
    abstract long id(T t);

    /** Writes the record's fields (all but the id) into {@code item}. */
    abstract void write(T t, Map<String, AttributeValue> item);

    /** The record an item holds. */
    abstract T read(Map<String, AttributeValue> item);

    /** Stores a new record made by {@code make} from the next id. */
    final T createWith(java.util.function.LongFunction<T> make) {
        T t = make.apply(items.nextId());
        items.put(item(t));
        return t;
    }

    /** Replaces a record that exists; false if it does not. */
    public boolean update(T t) { return items.replace(item(t)); }

    public boolean delete(long id) { return items.delete(id); }

    public Optional<T> get(long id) { return items.get(id).map(this::read); }

    /** Every record in id order (one Query). */
    public List<T> all() { return items.all().stream().map(this::read).toList(); }

    private Map<String, AttributeValue> item(T t) {
        Map<String, AttributeValue> i = items.item(id(t));
        write(t, i);
        return i;
    }
}
