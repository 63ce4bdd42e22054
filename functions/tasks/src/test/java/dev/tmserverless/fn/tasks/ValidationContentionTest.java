package dev.tmserverless.fn.tasks;

import dev.tmserverless.aws.store.LockClaims;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Validators racing for overlapping task sets with real threads against dynalite (docs/locking.md "Validation:
 * several tasks under one claim"): 16 validators each ask for 3 of the same 12 tasks, 200 rounds on one project.
 * Every request is all or nothing (a winner holds its whole set, a loser none of it), no task ever has two holders,
 * no validator holds anything outside the set it won (the one-lock rule), and once the winners give their sets
 * back every task is MAPPED, free, and every slot is empty.
 */
class ValidationContentionTest {
    static final int VALIDATORS = 16;
    static final int TASKS = 12;
    static final int SET = 3;
    static final int ROUNDS = 200;
    static Isolated.Applied env;
    static TasksFunction fn;
    static Fixture fx;
    static Race race;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("validation-contention").applyAsSystemProperties();
        fn = new TasksFunction();
        fx = new Fixture(fn.getApplicationContext());
        race = new Race(VALIDATORS);
    }

    @AfterAll
    static void stop() {
        race.close();
        fn.close();
        env.close();
    }

    @Test
    void validatorsRacingForOverlappingSetsNeverShareATask() throws Exception {
        LockClaims claims = fn.getApplicationContext().getBean(LockClaims.class);
        User mapper = fx.user("mapper");
        List<User> validators = new ArrayList<>();
        for (int i = 0; i < VALIDATORS; i++) validators.add(ValidationTest.validator(fx, "v"));
        List<String> tokens = validators.stream().map(u -> token(u.id())).toList();
        Random rnd = new Random(42);
        Project p = ValidationTest.mappedProject(fx, mapper, TASKS);
        String path = ValidationTest.lockV(p.id());
        int totalWinners = 0;
        for (int round = 1; round <= ROUNDS; round++) {
            // each validator asks for 3 distinct tasks of the 12, in a random order: sets overlap heavily
            List<List<Integer>> sets = new ArrayList<>();
            for (int k = 0; k < VALIDATORS; k++) {
                List<Integer> all = new ArrayList<>(IntStream.rangeClosed(1, TASKS).boxed().toList());
                Collections.shuffle(all, rnd);
                sets.add(new ArrayList<>(all.subList(0, SET)));
            }
            List<Api.Answer> answers = race.run(VALIDATORS, k -> call(fn, "POST", path, tokens.get(k),
                    "{\"taskIds\": " + sets.get(k) + "}"));
            Long[] owner = new Long[TASKS + 1];
            int winners = 0;
            for (int k = 0; k < VALIDATORS; k++) {
                Api.Answer a = answers.get(k);
                User v = validators.get(k);
                if (a.status() == 200) {
                    winners++;
                    assertThat(a.json().path("tasks").size()).as("round %d winner %d answers its set", round, k).isEqualTo(SET);
                    for (int id : sets.get(k)) {
                        assertThat(owner[id]).as("round %d: task %d won twice", round, id).isNull();
                        owner[id] = v.id();
                    }
                    assertThat(claims.get(v.id())).as("round %d: slot of winner %d", round, k).isPresent()
                            .get().extracting(LockClaims.Claim::taskIds).isEqualTo(sets.get(k).stream().sorted().toList());
                } else {
                    assertThat(a.status()).as("round %d loser %d: %s", round, k, a.body()).isIn(403, 409);
                    assertThat(a.subCode() == null ? a.structuredSubCode() : a.subCode())
                            .isIn("NotReadyForValidation", "CONFLICT");
                    assertThat(claims.get(v.id())).as("round %d: slot of loser %d", round, k).isEmpty();
                }
            }
            assertThat(winners).as("round %d winners", round).isPositive();
            totalWinners += winners;
            for (int id = 1; id <= TASKS; id++) {
                Task t = fx.tasks.get(p.id(), id).orElseThrow();
                if (owner[id] == null) {
                    // nobody holds it: not even a loser that wrote it and gave it back half-way
                    assertThat(t.status()).as("round %d task %d", round, id).isEqualTo(TaskStatus.MAPPED);
                    assertThat(t.lockedBy()).as("round %d task %d", round, id).isNull();
                } else {
                    assertThat(t.status()).as("round %d task %d", round, id).isEqualTo(TaskStatus.LOCKED_FOR_VALIDATION);
                    assertThat(t.lockedBy()).as("round %d task %d holder", round, id).isEqualTo(owner[id]);
                }
            }
            // the winners give their tasks back, freeing their slots for the next round
            for (int k = 0; k < VALIDATORS; k++) {
                if (answers.get(k).status() != 200) continue;
                StringBuilder body = new StringBuilder("{\"resetTasks\": [");
                for (int i = 0; i < sets.get(k).size(); i++) body.append(i == 0 ? "" : ",").append("{\"taskId\": ").append(sets.get(k).get(i)).append('}');
                var stop = call(fn, "POST", ValidationTest.stopV(p.id()), tokens.get(k), body.append("]}").toString());
                assertThat(stop.status()).isEqualTo(200);
                assertThat(claims.get(validators.get(k).id())).isEmpty();
            }
        }
        // every task ends consistent: MAPPED, free, each lock it ever had closed
        for (int id = 1; id <= TASKS; id++) {
            Task t = fx.tasks.withHistory(fx.tasks.get(p.id(), id).orElseThrow(), Integer.MAX_VALUE);
            assertThat(t.status()).isEqualTo(TaskStatus.MAPPED);
            assertThat(t.lockedBy()).isNull();
            assertThat(t.history()).allSatisfy(e -> assertThat(e.action().isLockPeriod() && e.actionText() == null).isFalse());
        }
        for (User v : validators) assertThat(claims.get(v.id())).isEmpty();
        assertThat(totalWinners).isGreaterThanOrEqualTo(ROUNDS);
    }
}
