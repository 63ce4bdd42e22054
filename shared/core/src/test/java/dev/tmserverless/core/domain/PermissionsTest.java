package dev.tmserverless.core.domain;

import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class PermissionsTest {
    static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
    static final User AUTHOR = user(10, "author", UserRole.MAPPER, MappingLevel.BEGINNER);
    static final User BEGINNER = user(1, "ana", UserRole.MAPPER, MappingLevel.BEGINNER);
    static final User INTERMEDIATE = user(2, "ben", UserRole.MAPPER, MappingLevel.INTERMEDIATE);
    static final User BLOCKED = user(3, "cy", UserRole.READ_ONLY, MappingLevel.ADVANCED);
    static final User ADMIN = user(4, "dee", UserRole.ADMIN, MappingLevel.BEGINNER);
    static final Organisation ORG = new Organisation(23, "KLL", "kll", null, null, null, "FREE", null, List.of(5L));

    static User user(long id, String name, UserRole role, MappingLevel level, Integer... licences) {
        return new User(id, name, role, level, null, null, T0, Set.of(licences));
    }

    /** A published public project: mapping ANY/beginner, validation ANY/intermediate (the reference's defaults). */
    static Settings published() {
        return new Settings(ProjectStatus.PUBLISHED, "ANY", 1, "ANY", 2, false, null, List.of());
    }

    record Settings(ProjectStatus status, String mapping, int mappingLevel, String validation, int validationLevel,
                    boolean isPrivate, Integer licenseId, List<Long> allowed) {
        Settings mapping(String p, int level) {
            return new Settings(status, p, level, validation, validationLevel, isPrivate, licenseId, allowed);
        }

        Settings validation(String p, int level) {
            return new Settings(status, mapping, mappingLevel, p, level, isPrivate, licenseId, allowed);
        }

        Settings draft() {
            return new Settings(ProjectStatus.DRAFT, mapping, mappingLevel, validation, validationLevel, isPrivate,
                    licenseId, allowed);
        }

        Settings privateFor(Long... ids) {
            return new Settings(status, mapping, mappingLevel, validation, validationLevel, true, licenseId, List.of(ids));
        }

        Settings licence(int id) {
            return new Settings(status, mapping, mappingLevel, validation, validationLevel, isPrivate, id, allowed);
        }

        Project project() {
            return new Project(7, status, "MEDIUM", "MODERATE", "en", AUTHOR.id(), AUTHOR.username(), ORG.id(),
                    mapping, mappingLevel, validation, validationLevel, false, isPrivate, "#hot", null, null, null, null,
                    List.of(), null, false, false, "OSM", List.of(), licenseId, List.of(), allowed, T0, T0, "GRID",
                    List.of("ID"), List.of("ID"), List.of(ProjectInfo.named("en", "Test")), null, null, 1.0);
        }
    }

    static ErrorCode mapRefusal(User u, Settings s, Membership m) {
        Project p = s.project();
        try {
            Permissions.checkCanMap(u, p, Permissions.isProjectManager(u, p, ORG, m), m);
            return null;
        } catch (ApiException e) {
            return e.code();
        }
    }

    static ApiException validateRefusal(User u, Settings s, Membership m) {
        Project p = s.project();
        try {
            Permissions.checkCanValidate(u, p, Permissions.isProjectManager(u, p, ORG, m), m);
            return null;
        } catch (ApiException e) {
            return e;
        }
    }

    static ErrorCode validateCode(User u, Settings s, Membership m) {
        ApiException e = validateRefusal(u, s, m);
        return e == null ? null : e.code();
    }

    @Test
    void projectManagersAreAdminsAuthorsOrganisationManagersAndTeamManagers() {
        Project p = published().project();
        assertThat(Permissions.isProjectManager(ADMIN, p, ORG)).isTrue();
        assertThat(Permissions.isProjectManager(AUTHOR, p, ORG)).isTrue();
        assertThat(Permissions.isProjectManager(user(5, "org", UserRole.MAPPER, MappingLevel.BEGINNER), p, ORG)).isTrue();
        assertThat(Permissions.isProjectManager(BEGINNER, p, ORG)).isFalse();
        assertThat(Permissions.isProjectManager(BEGINNER, p, ORG, Membership.of(TeamRole.VALIDATOR))).isFalse();
        assertThat(Permissions.isProjectManager(BEGINNER, p, ORG, Membership.of(TeamRole.PROJECT_MANAGER))).isTrue();
        assertThat(Permissions.isProjectManager(null, p, ORG)).isFalse();
    }

    @Test
    void mappingRefusesInTheReferenceOrder() {
        // blocked beats the licence, the licence beats the draft, the draft beats the team rule
        Settings all = published().licence(9).draft().mapping("TEAMS", 3);
        assertThat(mapRefusal(BLOCKED, all, Membership.NONE)).isEqualTo(ErrorCode.USER_NOT_ALLOWED);
        assertThat(mapRefusal(BEGINNER, all, Membership.NONE)).isEqualTo(ErrorCode.USER_LICENSE_ERROR);
        User licensed = user(1, "ana", UserRole.MAPPER, MappingLevel.BEGINNER, 9);
        assertThat(mapRefusal(licensed, all, Membership.NONE)).isEqualTo(ErrorCode.PROJECT_NOT_PUBLISHED);
        Settings published = published().licence(9).mapping("TEAMS", 3).privateFor();
        assertThat(mapRefusal(licensed, published, Membership.NONE)).isEqualTo(ErrorCode.USER_NOT_TEAM_MEMBER);
        assertThat(mapRefusal(licensed, published, Membership.of(TeamRole.MAPPER)))
                .isEqualTo(ErrorCode.USER_NOT_CORRECT_MAPPING_LEVEL);
        assertThat(ErrorCode.USER_NOT_TEAM_MEMBER.subCode).isEqualTo("MappingNotAllowed.USER_NOT_TEAM_MEMBER");
        assertThat(ErrorCode.USER_LICENSE_ERROR.status).isEqualTo(409);
    }

    @Test
    void aTeamMemberWithTheLevelMapsATeamsProjectAndAReadOnlyTeamDoesNotCount() {
        Settings teams = published().mapping("TEAMS", 1);
        assertThat(mapRefusal(BEGINNER, teams, Membership.of(TeamRole.MAPPER))).isNull();
        assertThat(mapRefusal(BEGINNER, teams, Membership.of(TeamRole.VALIDATOR))).isNull();
        assertThat(mapRefusal(BEGINNER, teams, Membership.of(TeamRole.READ_ONLY))).isEqualTo(ErrorCode.USER_NOT_TEAM_MEMBER);
        // the old overload knows no teams: a TEAMS project admits its managers only
        assertThat(refusalOfOldOverload(BEGINNER, teams)).isEqualTo(ErrorCode.USER_NOT_TEAM_MEMBER);
        assertThat(refusalOfOldOverload(AUTHOR, teams)).isNull();
    }

    static ErrorCode refusalOfOldOverload(User u, Settings s) {
        Project p = s.project();
        try {
            Permissions.checkCanMap(u, p, Permissions.isProjectManager(u, p, ORG));
            return null;
        } catch (ApiException e) {
            return e.code();
        }
    }

    @Test
    void theMappingLevelAppliesToAnyProjectAndTheRetiredLevelValuesNeedIntermediate() {
        assertThat(mapRefusal(BEGINNER, published().mapping("ANY", 2), Membership.NONE))
                .isEqualTo(ErrorCode.USER_NOT_CORRECT_MAPPING_LEVEL);
        assertThat(mapRefusal(INTERMEDIATE, published().mapping("ANY", 2), Membership.NONE)).isNull();
        assertThat(mapRefusal(BEGINNER, published().mapping("LEVEL", 1), Membership.NONE))
                .isEqualTo(ErrorCode.USER_NOT_CORRECT_MAPPING_LEVEL);
        assertThat(mapRefusal(INTERMEDIATE, published().mapping("LEVEL", 1), Membership.NONE)).isNull();
        assertThat(mapRefusal(INTERMEDIATE, published().mapping("TEAMS_LEVEL", 1), Membership.NONE))
                .isEqualTo(ErrorCode.USER_NOT_TEAM_MEMBER);
        assertThat(mapRefusal(BEGINNER, published().mapping("TEAMS_LEVEL", 1), Membership.of(TeamRole.MAPPER)))
                .isEqualTo(ErrorCode.USER_NOT_CORRECT_MAPPING_LEVEL);
        assertThat(mapRefusal(INTERMEDIATE, published().mapping("TEAMS_LEVEL", 1), Membership.of(TeamRole.MAPPER))).isNull();
    }

    @Test
    void aPrivateProjectAdmitsTheAllowListAndMappingTeamsAndManagers() {
        Settings priv = published().privateFor(2L);
        assertThat(mapRefusal(BEGINNER, priv, Membership.NONE)).isEqualTo(ErrorCode.USER_NOT_ALLOWED);
        assertThat(mapRefusal(INTERMEDIATE, priv, Membership.NONE)).isNull();
        assertThat(mapRefusal(BEGINNER, priv, Membership.of(TeamRole.MAPPER))).isNull();
        assertThat(mapRefusal(AUTHOR, priv, Membership.NONE)).isNull();
    }

    @Test
    void projectManagersBypassDraftTeamsAndLevelButNotBlockOrLicence() {
        Settings hard = published().draft().mapping("TEAMS", 3).validation("TEAMS", 3);
        assertThat(mapRefusal(AUTHOR, hard, Membership.NONE)).isNull();
        assertThat(validateCode(AUTHOR, hard, Membership.NONE)).isNull();
        assertThat(validateCode(ADMIN, hard.licence(4), Membership.NONE)).isEqualTo(ErrorCode.USER_LICENSE_ERROR);
        User blockedAuthor = user(10, "author", UserRole.READ_ONLY, MappingLevel.ADVANCED);
        assertThat(validateCode(blockedAuthor, hard, Membership.NONE)).isEqualTo(ErrorCode.USER_NOT_ALLOWED);
    }

    @Test
    void byDefaultABeginnerCannotValidateAndAnIntermediateCan() {
        ApiException e = validateRefusal(BEGINNER, published(), Membership.NONE);
        assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_NOT_ALLOWED);
        assertThat(e.code().subCode).isEqualTo("ValidtionNotAllowed");
        assertThat(e.getMessage()).endsWith("USER_NOT_CORRECT_MAPPING_LEVEL");
        assertThat(validateRefusal(INTERMEDIATE, published(), Membership.NONE)).isNull();
    }

    @Test
    void validatingATeamsProjectNeedsAValidatorOrManagerTeam() {
        Settings teams = published().validation("TEAMS", 1);
        ApiException e = validateRefusal(INTERMEDIATE, teams, Membership.of(TeamRole.MAPPER));
        assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_NOT_ALLOWED);
        assertThat(e.getMessage()).endsWith("USER_NOT_TEAM_MEMBER");
        assertThat(validateRefusal(INTERMEDIATE, teams, Membership.of(TeamRole.VALIDATOR))).isNull();
        // a team PROJECT_MANAGER role makes the user a PM, who bypasses the level as well
        assertThat(validateRefusal(BEGINNER, teams.validation("TEAMS", 3), Membership.of(TeamRole.PROJECT_MANAGER))).isNull();
    }

    @Test
    void validationRefusesInTheReferenceOrder() {
        Settings all = published().licence(9).draft().validation("TEAMS", 3).privateFor();
        assertThat(validateCode(BLOCKED, all, Membership.NONE)).isEqualTo(ErrorCode.USER_NOT_ALLOWED);
        assertThat(validateCode(BEGINNER, all, Membership.NONE)).isEqualTo(ErrorCode.USER_LICENSE_ERROR);
        User licensed = user(2, "ben", UserRole.MAPPER, MappingLevel.ADVANCED, 9);
        assertThat(validateCode(licensed, all, Membership.NONE)).isEqualTo(ErrorCode.PROJECT_NOT_PUBLISHED);
        Settings published = published().licence(9).validation("ANY", 1).privateFor();
        assertThat(validateCode(licensed, published, Membership.NONE)).isEqualTo(ErrorCode.USER_NOT_ALLOWED);
        assertThat(Permissions.canValidate(licensed, published.project(), false, Membership.of(TeamRole.VALIDATOR))).isTrue();
        assertThat(Permissions.canValidate(licensed, published.project(), false, Membership.NONE)).isFalse();
    }

    @Test
    void blockedUsersCannotCommentAndBulkActionsNeedAManager() {
        assertThat(TaskMachineTest.refusal(() -> Permissions.checkCanComment(BLOCKED))).isEqualTo(ErrorCode.READ_ONLY);
        Permissions.checkCanComment(BEGINNER);
        assertThat(TaskMachineTest.refusal(() -> Permissions.checkCanManage(false)))
                .isEqualTo(ErrorCode.USER_PERMISSION_ERROR);
    }
}
