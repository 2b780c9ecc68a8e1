/*
 * test_select_orders_and_filters.c — FaceFusion's eight sort orders, the
 * one/many modes and the gender/age filters, on synthetic face records.
 */
#include "facetest.h"

static facefuse_context *ctx;

static facefuse_face make_face(float x, float y, float size, float score, facefuse_gender g, int age)
{
    facefuse_face f;
    memset(&f, 0, sizeof f);
    f.box[0] = x;
    f.box[1] = y;
    f.box[2] = x + size;
    f.box[3] = y + size;
    f.detector_score = score;
    f.gender = g;
    f.race = FACEFUSE_RACE_UNKNOWN;
    f.age_start = age;
    f.age_end = age + 9;
    return f;
}

/* faces: A small top-left male 30–39, B large bottom-right female 10–19, C middle male 60–69. */
static int fill(facefuse_face *f)
{
    f[0] = make_face(10, 10, 20, 0.9f, FACEFUSE_GENDER_MALE, 30);
    f[1] = make_face(300, 200, 80, 0.6f, FACEFUSE_GENDER_FEMALE, 10);
    f[2] = make_face(150, 100, 50, 0.7f, FACEFUSE_GENDER_MALE, 60);
    return 3;
}

static void check_order(facefuse_selector_order order, const char *expect)
{
    facefuse_face f[3];
    int n = fill(f);
    facefuse_selector_params p = facefuse_selector_default_params();
    p.mode = FACEFUSE_SELECT_MANY;
    p.order = order;
    REQUIRE(facefuse_select_faces(ctx, &p, NULL, 0, f, &n) == FACEFUSE_OK, "select");
    char got[4] = {0};
    for (int i = 0; i < 3; i++)
        got[i] = f[i].box[0] == 10 ? 'A' : f[i].box[0] == 300 ? 'B' : 'C';
    CHECK(strcmp(got, expect) == 0, "order %d gave %s, expected %s", (int)order, got, expect);
}

static void all_eight_orders_sort_as_named(void)
{
    check_order(FACEFUSE_ORDER_LEFT_RIGHT, "ACB");
    check_order(FACEFUSE_ORDER_RIGHT_LEFT, "BCA");
    check_order(FACEFUSE_ORDER_TOP_BOTTOM, "ACB");
    check_order(FACEFUSE_ORDER_BOTTOM_TOP, "BCA");
    check_order(FACEFUSE_ORDER_SMALL_LARGE, "ACB");
    check_order(FACEFUSE_ORDER_LARGE_SMALL, "BCA");
    check_order(FACEFUSE_ORDER_BEST_WORST, "ACB");
    check_order(FACEFUSE_ORDER_WORST_BEST, "BCA");
}

static void one_keeps_the_first_after_sorting(void)
{
    facefuse_face f[3];
    int n = fill(f);
    facefuse_selector_params p = facefuse_selector_default_params();
    p.mode = FACEFUSE_SELECT_ONE;
    REQUIRE(facefuse_select_faces(ctx, &p, NULL, 0, f, &n) == FACEFUSE_OK, "select");
    CHECK(n == 1 && f[0].box[0] == 300, "one: %d faces, first at x %.0f (largest is B)", n, f[0].box[0]);
}

static void gender_and_age_filters_drop_others(void)
{
    facefuse_face f[3];
    int n = fill(f);
    facefuse_selector_params p = facefuse_selector_default_params();
    p.mode = FACEFUSE_SELECT_MANY;
    p.gender = FACEFUSE_GENDER_MALE;
    REQUIRE(facefuse_select_faces(ctx, &p, NULL, 0, f, &n) == FACEFUSE_OK, "select");
    CHECK(n == 2, "male filter kept %d", n);
    n = fill(f);
    p.gender = FACEFUSE_GENDER_UNKNOWN;
    p.age_start = 25;
    p.age_end = 45;
    REQUIRE(facefuse_select_faces(ctx, &p, NULL, 0, f, &n) == FACEFUSE_OK, "select");
    CHECK(n == 1 && f[0].box[0] == 10, "age 25-45 kept %d", n);
}

static void distance_is_half_one_minus_cosine(void)
{
    facefuse_face a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    a.embedding_dim = b.embedding_dim = 2;
    a.normed_embedding[0] = 1;
    b.normed_embedding[0] = 0.6f;
    b.normed_embedding[1] = 0.8f;
    CHECK(fabsf(facefuse_face_distance(&a, &b) - 0.2f) < 1e-6f, "distance %.4f", facefuse_face_distance(&a, &b));
    CHECK(fabsf(facefuse_face_distance(&a, &a)) < 1e-6f, "self distance");
}

int main(void)
{
    ctx = tl_context();
    RUN(all_eight_orders_sort_as_named);
    RUN(one_keeps_the_first_after_sorting);
    RUN(gender_and_age_filters_drop_others);
    RUN(distance_is_half_one_minus_cosine);
    facefuse_context_free(ctx);
    return tl_finish();
}
