package dev.tmserverless.fn.users;

import dev.tmserverless.aws.queue.MessageJobs;
import dev.tmserverless.aws.store.CampaignStore;
import dev.tmserverless.aws.store.Splits;
import dev.tmserverless.aws.store.TeamStore;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TeamMember;
import jakarta.inject.Singleton;

import java.util.TreeSet;

/** Who a message job goes to, in increasing user id (so a slice can say where the next one starts). */
@Singleton
public class Recipients {
    private final Splits tasks;
    private final CampaignStore campaigns;
    private final TeamStore teams;
    private final dev.tmserverless.aws.store.FavouriteStore favourites;

    public Recipients(Splits tasks, CampaignStore campaigns, TeamStore teams, dev.tmserverless.aws.store.FavouriteStore favourites) {
        this.favourites = favourites;
        this.tasks = tasks;
        this.campaigns = campaigns;
        this.teams = teams;
    }

    public TreeSet<Long> of(MessageJobs.Job job) {
        TreeSet<Long> out = new TreeSet<>();
        switch (job.audience()) {
            case PROJECT_CONTRIBUTORS -> contributors(job.targetId(), out);
            case CAMPAIGN_CONTRIBUTORS -> campaigns.projectsOf(job.targetId()).forEach(p -> contributors(p, out));
            case PROJECT_CHAT -> {
                contributors(job.targetId(), out);
                out.addAll(favourites.usersOf(job.targetId()));
            }
            case PROJECT_MAPPERS -> {
                for (Task t : tasks.listTasks(job.targetId())) if (t.mappedBy() != null) out.add(t.mappedBy());
            }
            case TEAM_MEMBERS -> {
                for (TeamMember m : teams.members(job.targetId())) if (m.active()) out.add(m.userId());
            }
        }
        if (job.excludeUserId() != null) out.remove(job.excludeUserId());
        return out;
    }

    /** The reference's contributors: whoever is recorded as a task's mapper or validator. */
    private void contributors(long projectId, TreeSet<Long> out) {
        for (Task t : tasks.listTasks(projectId)) {
            if (t.mappedBy() != null) out.add(t.mappedBy());
            if (t.validatedBy() != null) out.add(t.validatedBy());
        }
    }
}
