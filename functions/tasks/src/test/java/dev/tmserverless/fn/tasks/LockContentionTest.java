package dev.tmserverless.fn.tasks;

import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;
import dev.tmserverless.aws.store.LockClaims;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskAction;
import dev.tmserverless.core.domain.TaskStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/** Real concurrency against dynalite: exactly one winner per task, exactly one lock per user. */
class LockContentionTest {
    static final int THREADS = 32;
    static Isolated.Applied env;
    static TasksFunction fn;
    static Fixture fx;
    static Race race;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("contention").applyAsSystemProperties();
        fn = new TasksFunction();
        fx = new Fixture(fn.getApplicationContext());
        race = new Race(THREADS);
    }

    @AfterAll
    static void stop() {
        race.close();
        fn.close();
        env.close();
    }

    static List<Api.Answer> race(int n, IntFunction<Api.Answer> request) throws Exception {
        return race.run(n, request);
    }

    @Test
    void thirtyTwoMappersRaceForOneTaskAHundredTimes() throws Exception {
        int rounds = 100;
        List<User> mappers = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) mappers.add(fx.user("racer"));
        List<String> tokens = mappers.stream().map(u -> token(u.id())).toList();
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, rounds);
        LockClaims claims = fn.getApplicationContext().getBean(LockClaims.class);
        for (int round = 1; round <= rounds; round++) {
            int taskId = round;
            String path = TasksFunctionTest.lock(p.id(), taskId);
            List<Api.Answer> answers = race(THREADS, k -> call(fn, "POST", path, tokens.get(k), null));
            List<Integer> winners = new ArrayList<>();
            for (int k = 0; k < THREADS; k++) {
                Api.Answer a = answers.get(k);
                if (a.status() == 200) {
                    winners.add(k);
                } else {
                    assertThat(a.status()).as("round %d loser %d", round, k).isEqualTo(403);
                    assertThat(a.subCode()).isEqualTo("InvalidTaskState");
                }
            }
            assertThat(winners).as("round %d winners", round).hasSize(1);
            User winner = mappers.get(winners.get(0));
            Task t = fx.tasks.get(p.id(), taskId).orElseThrow();
            assertThat(t.status()).isEqualTo(TaskStatus.LOCKED_FOR_MAPPING);
            assertThat(t.lockedBy()).isEqualTo(winner.id());
            assertThat(t.history()).filteredOn(h -> h.action() == TaskAction.LOCKED_FOR_MAPPING).hasSize(1);
            for (User m : mappers) {
                assertThat(claims.get(m.id()).isPresent()).as("slot of %s", m.username()).isEqualTo(m == winner);
            }
            // the winner maps it, freeing its slot for the next round
            var done = call(fn, "POST", TasksFunctionTest.unlock(p.id(), taskId), tokens.get(winners.get(0)), "{\"status\":\"MAPPED\"}");
            assertThat(done.status()).isEqualTo(200);
        }
        assertThat(fx.projects.get(p.id()).orElseThrow().counters().tasksMapped()).isEqualTo(rounds);
    }

    @Test
    void oneMapperRacingForManyTasksGetsExactlyOne() throws Exception {
        User u = fx.user("greedy");
        String tok = token(u.id());
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 16);
        List<Api.Answer> answers = race(16, k -> call(fn, "POST", TasksFunctionTest.lock(p.id(), k + 1), tok, null));
        assertThat(answers).filteredOn(a -> a.status() == 200).hasSize(1);
        assertThat(answers).filteredOn(a -> a.status() != 200)
                .allSatisfy(a -> assertThat(a.subCode()).isEqualTo("UserAlreadyHasTaskLocked"));
        long locked = fx.tasks.list(p.id()).stream().filter(t -> t.status() == TaskStatus.LOCKED_FOR_MAPPING).count();
        assertThat(locked).isEqualTo(1);
    }

    @Test
    void oneMapperRepeatingTheSameLockGetsItOnce() throws Exception {
        User u = fx.user("eager");
        String tok = token(u.id());
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 1);
        List<Api.Answer> answers = race(12, k -> call(fn, "POST", TasksFunctionTest.lock(p.id(), 1), tok, null));
        assertThat(answers).allSatisfy(a -> assertThat(a.status()).isEqualTo(200));
        Task t = fx.tasks.get(p.id(), 1).orElseThrow();
        assertThat(t.history()).hasSize(1);
        assertThat(fn.getApplicationContext().getBean(LockClaims.class).get(u.id())).isPresent()
                .get().extracting(LockClaims.Claim::taskId).isEqualTo(1);
        // and it still counts as the user's one lock
        Project other = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 1);
        assertThat(call(fn, "POST", TasksFunctionTest.lock(other.id(), 1), tok, null).subCode())
                .isEqualTo("UserAlreadyHasTaskLocked");
    }

    /**
     * A double-clicked lock, then its unlock: the twin that lost the task write must not leave its own claim (and
     * later expiry) in the slot, or the unlock's release misses it and the next lock is refused.
     */
    @Test
    void aDoubleClickedLockIsFullyReleasedByItsUnlock() throws Exception {
        User u = fx.user("double-click");
        String tok = token(u.id());
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 20);
        for (int round = 1; round < 20; round++) {
            int task = round;
            List<Api.Answer> answers = race(6, k -> call(fn, "POST", TasksFunctionTest.lock(p.id(), task), tok, null));
            assertThat(answers).allSatisfy(a -> assertThat(a.status()).isEqualTo(200));
            Task t = fx.tasks.get(p.id(), task).orElseThrow();
            assertThat(fn.getApplicationContext().getBean(LockClaims.class).get(u.id())).get()
                    .extracting(LockClaims.Claim::expiresAt).as("round %d", round).isEqualTo(t.lockExpiresAt());
            assertThat(call(fn, "POST", TasksFunctionTest.stop(p.id(), task), tok, "{}").status()).isEqualTo(200);
            assertThat(fn.getApplicationContext().getBean(LockClaims.class).get(u.id())).as("round %d", round).isEmpty();
        }
    }
}
